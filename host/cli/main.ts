/**
 * `sipster <command> [args]`: dispatches to host/cli/commands/<command>.ts, each exporting a
 * one-line `summary` and `run(argv)` that returns the exit code.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

const commandsDir = fileURLToPath(new URL('./commands/', import.meta.url));
const names = readdirSync(commandsDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

const load = (name: string): Promise<Command> => import(new URL(`./commands/${name}.ts`, import.meta.url).href) as Promise<Command>;

async function usage(): Promise<string> {
  const lines = await Promise.all(names.map(async (n) => `  ${n.padEnd(12)} ${(await load(n)).summary}`));
  return `usage: sipster <command> [options]   (sipster <command> --help for details)\n\ncommands:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return name === undefined ? 2 : 0;
  }
  if (!names.includes(name)) {
    process.stderr.write(`sipster: unknown command ${JSON.stringify(name)}\n\n${await usage()}`);
    return 2;
  }
  return (await load(name)).run(rest);
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
