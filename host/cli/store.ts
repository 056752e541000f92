// The store of a command that does not create one (every command but `uc serve`, `mint serve`
// and `wallet run`): opened only if it exists and holds the schema the command needs; else one
// line that names the location looked at and the command that creates it.
import type { Db } from '../store/db.ts';
import { CliError } from './args.ts';

const WHAT = { uc: 'UC store', wallet: 'wallet store', mint: 'mint store' } as const;

export async function openExisting(location: string, schema: keyof typeof WHAT, creator: string): Promise<Db> {
  const { describeLocation, openExistingStore } = await import('../store/open.ts');
  const { StoreError } = await import('../store/db.ts');
  try {
    return await openExistingStore(location, schema);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'missing') throw new CliError(`no ${WHAT[schema]} at ${location}: ${err.message} (\`${creator}\` creates it)`);
    throw new CliError(`cannot open ${describeLocation(location)}: ${(err as Error).message}`);
  }
}
