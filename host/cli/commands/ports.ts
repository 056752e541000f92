// sipster ports: the serial ports of this machine, as serialport's list tool prints them.
import { parseCommandArgs } from '../args.ts';

export const summary = 'list the serial ports of this machine (as serialport-list does; --json)';

const HELP = `usage: sipster ports [--json]

One port per line: path, pnpId and manufacturer, tab-separated (serialport-list's text format);
--json prints serialport's PortInfo objects as one JSON array. A board's port is the one to give
\`sipster flash --port\`, \`sipster monitor --port\` and \`sipster wallet run --port\`.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs('ports', argv, { json: { type: 'boolean' } }, HELP);
  if (typeof args === 'number') return args;
  const { listPorts } = await import('../../serial/list.ts');
  const ports = await listPorts();
  if (args.json) process.stdout.write(`${JSON.stringify(ports)}\n`);
  else for (const p of ports) process.stdout.write(`${p.path}\t${p.pnpId ?? ''}\t${p.manufacturer ?? ''}\n`);
  return 0;
}
