// Why a port could not be opened, in one line a person can act on: a device that does not exist,
// is held by another program (named), is not a serial device or may not be opened by this user;
// a tcp:// console where nothing listens or whose host is unknown.
import { portHolders } from './holders.ts';

/** A serial device's open failure (serialport's message) in words a person can act on. */
export function explainSerialError(path: string, message: string): string {
  if (/No such file or directory|ENOENT/i.test(message)) return `${path} does not exist (is the board plugged in? \`sipster ports\` lists the serial ports)`;
  if (/Cannot lock port|Resource busy|EBUSY/i.test(message)) {
    const holders = portHolders(path);
    const who = holders.length ? `: ${holders.map((h) => `pid ${h.pid} (${h.command})`).join(', ')}` : '';
    return `${path} is in use by another program${who}`;
  }
  if (/Permission denied|EACCES/i.test(message)) return `permission denied on ${path} (on Linux, add your user to the dialout group)`;
  if (/Inappropriate ioctl|ENOTTY/i.test(message)) return `${path} is not a serial device`;
  return `cannot open ${path}: ${message.replace(/^Error: /, '')}`;
}

/** A tcp:// console's connection failure in words a person can act on. */
export function explainTcpError(host: string, port: number, err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e.code ?? e.errors?.[0]?.code;
  if (code === 'ECONNREFUSED') return `nothing listens at tcp://${host}:${port} (connection refused)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `unknown host ${JSON.stringify(host)} in tcp://${host}:${port}`;
  if (code === 'ETIMEDOUT') return `no answer from tcp://${host}:${port}`;
  return `cannot reach tcp://${host}:${port}: ${code ?? e.message ?? String(err)}`;
}
