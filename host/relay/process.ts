// `sipster relay serve` as a real subprocess (demo, tests, benchmark).
import { startSipsterProcess, type UcProcess } from '../uc/process.ts';

export type RelayProcess = UcProcess;

/** A relay in front of `gateway` (the UC's /v1/ohttp URL) on a free loopback port. */
export function startRelayProcess(gateway: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<RelayProcess> {
  return startSipsterProcess(['relay', 'serve', '--gateway', gateway, '--port', '0', ...extraArgs], env);
}
