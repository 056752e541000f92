/**
 * `sipster <command> [args]`: dispatches to host/cli/commands/<command>.ts, each exporting a
 * one-line `summary`, `run(argv)` that returns the exit code, and, for commands with
 * subcommands (`uc serve`), their names. Every failure a command throws is printed here as one
 * line, `sipster <command> [<subcommand>]: <message>`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError } from './args.ts';

interface Command {
  readonly summary: string;
  readonly subcommands?: readonly string[];
  run(argv: string[]): Promise<number>;
}

const commandsDir = fileURLToPath(new URL('./commands/', import.meta.url));
const names = readdirSync(commandsDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

const load = (name: string): Promise<Command> => import(new URL(`./commands/${name}.ts`, import.meta.url).href) as Promise<Command>;

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

async function usage(): Promise<string> {
  const lines = await Promise.all(names.map(async (n) => `  ${n.padEnd(12)} ${(await load(n)).summary}`));
  return `usage: sipster <command> [options]   (sipster <command> --help for details)\n\ncommands:\n${lines.join('\n')}\n\n  --version    print the version\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return name === undefined ? 2 : 0;
  }
  if (!names.includes(name)) {
    process.stderr.write(`sipster: unknown command ${JSON.stringify(name)} (\`sipster --help\` lists the commands)\n`);
    return 2;
  }
  const command = await load(name);
  const verb = command.subcommands?.includes(rest[0] ?? '') ? `${name} ${rest[0]}` : name;
  try {
    return await command.run(rest);
  } catch (err) {
    process.stderr.write(`sipster ${verb}: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sipster: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
