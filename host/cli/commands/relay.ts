// `sipster relay serve --gateway URL`: an Oblivious HTTP relay for households' pay and receipt
// lookups (host/relay/relay.ts). Anyone but the UC may run one.
import { createLogger, type LogLevel } from '../../common/log.ts';
import { describeOptions, parseCommandOptions, type OptionSpec } from '../../common/options.ts';
import { runSubcommand } from '../args.ts';

export const summary = 'run an Oblivious HTTP relay between households and the UC (sipster relay serve --help)';

const options: OptionSpec[] = [
  { name: 'gateway', env: 'SIPSTER_RELAY_GATEWAY', kind: 'string', pattern: /^https?:\/\/[^\s]+$/, help: "the UC's Oblivious HTTP gateway, e.g. http://uc.example:3340/v1/ohttp (required)" },
  { name: 'host', env: 'SIPSTER_RELAY_HOST', kind: 'string', default: '127.0.0.1', help: 'address to listen on' },
  { name: 'port', env: 'SIPSTER_RELAY_PORT', kind: 'int', default: 3341, min: 0, max: 65535, help: 'TCP port (0: any free port)' },
  { name: 'max-body', env: 'SIPSTER_RELAY_MAX_BODY', kind: 'int', default: 8192, min: 64, max: 1 << 20, help: 'largest encapsulated request relayed, in bytes' },
  { name: 'rate', env: 'SIPSTER_RELAY_RATE', kind: 'int', default: 50, min: 1, max: 1_000_000, help: 'requests per second each client address may send on average' },
  { name: 'burst', env: 'SIPSTER_RELAY_BURST', kind: 'int', default: 200, min: 1, max: 1_000_000, help: 'requests a client address may send at once' },
  { name: 'local-address', env: 'SIPSTER_RELAY_LOCAL_ADDRESS', kind: 'string', pattern: /^[0-9a-fA-F.:]{2,45}$/, help: 'local IP address to reach the gateway from (egress interface)' },
  { name: 'log-level', env: 'SIPSTER_LOG_LEVEL', kind: 'string', default: 'info', choices: ['debug', 'info', 'warn', 'error'], help: 'no level logs requests, content or addresses' },
];

const usage = `usage: sipster relay serve --gateway URL [options]

An Oblivious HTTP relay (RFC 9458): households post their encapsulated pay and receipt lookups
here; the relay forwards each, with nothing that identifies the household, to the UC's gateway,
and the sealed answer back. It sees addresses but only ciphertext; the UC sees the requests but
only the relay's address. It logs no content and no addresses, bounds bodies and rate-limits
each client address. Run by anyone but the UC (see the README: who should run it, and how a
household checks that its relay is not the UC's).

options:
${describeOptions(options)}`;

export function run(argv: string[]): Promise<number> {
  return runSubcommand('relay', argv, usage, { serve });
}

async function serve(rest: string[]): Promise<number> {
  const v = parseCommandOptions(options, rest, 'relay serve', usage);
  if (typeof v === 'number') return v;
  if (v.gateway === undefined) {
    process.stderr.write('sipster relay serve: --gateway is required\n');
    return 2;
  }
  let gateway: URL;
  try {
    gateway = new URL(v.gateway as string);
  } catch {
    process.stderr.write('sipster relay serve: --gateway is not a valid URL\n');
    return 2;
  }
  const log = createLogger('relay', v['log-level'] as LogLevel);
  const [{ close, listen }, { createRelayServer }] = await Promise.all([import('../../mint/http.ts'), import('../../relay/relay.ts')]);
  const server = createRelayServer({
    gateway,
    maxBodyBytes: v['max-body'] as number,
    ratePerSecond: v.rate as number,
    burst: v.burst as number,
    localAddress: v['local-address'] as string | undefined,
    log,
  });
  let port: number;
  try {
    port = await listen(server, v.port as number, v.host as string);
  } catch (err) {
    log.error('cannot listen', { host: v.host, port: v.port, error: (err as Error).message });
    return 1;
  }
  log.info('serving', { url: `http://${v.host}:${port}`, gateway: gateway.href, maxBody: v['max-body'], rate: `${v.rate}/s per address, burst ${v.burst}` });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('stopping');
  await close(server);
  return 0;
}
