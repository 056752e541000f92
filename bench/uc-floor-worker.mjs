// Entry of the floor's worker threads (bench/uc-floor.ts): tsx's loader registered in this thread first.
import { register } from 'tsx/esm/api';
register();
await import('./uc-floor.ts');
