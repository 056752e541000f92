// Runs one CLI command module as its own process, as host/cli/main.ts would dispatch it:
//   node --import tsx host/mint/test/run-command.ts mint serve --port 0
const [name, ...argv] = process.argv.slice(2);
const mod = (await import(`../../cli/commands/${name}.ts`)) as { run(argv: string[]): Promise<number> };
process.exitCode = await mod.run(argv);
