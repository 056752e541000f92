// The Espruino console's line discipline (after src/jsinteractive.c in Espruino 2v29), as far as
// espruino-tools and a person at a terminal rely on it:
// - characters are echoed; Enter executes the line once its brackets, strings and comments are
//   closed, otherwise the line continues with a ":" prompt;
// - a 0x10 (DLE) in a line turns echo off for that line: no echo, no "=result", no prompt after it;
// - ESC LF (Alt-Enter) adds a newline without executing; ESC [ n d (line number hints) and other
//   escape sequences are swallowed; Ctrl-C clears the line; backspace edits it;
// - after a line runs, "=<value>" is printed (echo on, no error) and the prompt ">" comes back;
// - echo(0) silences all of that; a locked console (E.setPassword + E.lockConsole) executes nothing
//   until the password line is typed.
// Input bytes are Latin-1 characters; output is written raw to the console device.

export interface ReplHost {
  write(text: string): void;
  /** Runs a complete line in the guest's global scope. */
  execute(code: string): { ok: true; value: string } | { ok: false; error: string };
  /** True once an executed line has asked for a reset/load: input after it waits for the new engine. */
  paused(): boolean;
}

type EscState = 'none' | 'esc' | 'csi' | 'ss3';

export class Repl {
  echo = true;
  locked = false;
  password: string | undefined;
  private line = '';
  private echoOffForLine = false;
  private esc: EscState = 'none';
  private hadCR = false;
  private promptShown = false;
  /** The prompt was taken down for output and is due back. */
  private removed = false;

  constructor(private readonly host: ReplHost) {}

  /** Shows the prompt (after boot or a reset). */
  showPrompt(): void {
    if (!this.echo || this.promptShown) return;
    this.host.write(this.locked ? 'password:' : '>');
    this.promptShown = true;
  }

  /** Called before the guest prints to the console while the prompt is up: take the prompt down. */
  beforeOutput(): void {
    if (!this.promptShown) return;
    const shown = this.showInput ? this.line.length : 0;
    this.host.write('\r' + ' '.repeat(shown + 1) + '\r');
    this.promptShown = false;
    this.removed = true;
  }

  /** After asynchronous output, put back the prompt (and the half-typed line, if it was shown). */
  afterOutput(): void {
    if (!this.removed) return;
    this.removed = false;
    if (!this.echo) return;
    this.host.write(this.locked ? 'password:' : '>' + (this.showInput ? this.line.replace(/\n/g, '\r\n:') : ''));
    this.promptShown = true;
  }

  /** Consumes input up to the end of the first line that pauses the host; returns the chars used. */
  feed(data: string): number {
    for (let i = 0; i < data.length; i++) {
      this.handleChar(data[i]!);
      if (this.host.paused()) return i + 1;
    }
    return data.length;
  }

  /** Forgets the half-typed line and the prompt (power-on, reset). */
  clear(): void {
    this.line = '';
    this.echoOffForLine = false;
    this.esc = 'none';
    this.hadCR = false;
    this.promptShown = false;
    this.removed = false;
  }

  private get showInput(): boolean {
    return this.echo && !this.echoOffForLine && !this.locked;
  }

  private handleChar(ch: string): void {
    const code = ch.charCodeAt(0);
    if (this.esc !== 'none') return this.handleEscape(ch);
    if (code === 13) {
      this.hadCR = true;
      return this.newLine();
    }
    if (code === 10) {
      if (this.hadCR) {
        this.hadCR = false;
        return;
      }
      return this.newLine();
    }
    this.hadCR = false;
    if (code === 27) {
      this.esc = 'esc';
      return;
    }
    if (code === 16) {
      this.echoOffForLine = true;
      return;
    }
    if (code === 3) {
      if (this.line.length > 0 && this.showInput) this.host.write('\r\n');
      this.line = '';
      this.echoOffForLine = false;
      this.promptShown = false;
      this.showPrompt();
      return;
    }
    if (code === 8 || code === 127) {
      if (this.line.length > 0 && !this.line.endsWith('\n')) {
        this.line = this.line.slice(0, -1);
        if (this.showInput) this.host.write('\x08 \x08');
      }
      return;
    }
    if (code < 32 && code !== 9) return;
    this.line += ch;
    if (this.showInput) this.host.write(ch);
  }

  private handleEscape(ch: string): void {
    if (this.esc === 'esc') {
      if (ch === '\n') {
        // Alt-Enter: a newline that does not execute.
        this.line += '\n';
        if (this.showInput) this.host.write('\r\n:');
        this.esc = 'none';
      } else if (ch === '[') this.esc = 'csi';
      else if (ch === 'O') this.esc = 'ss3';
      else this.esc = 'none';
      return;
    }
    if (this.esc === 'ss3') {
      this.esc = 'none';
      return;
    }
    // CSI: parameters until a final byte in @..~ (line-number hints end in 'd').
    if (ch >= '@' && ch <= '~') this.esc = 'none';
  }

  private newLine(): void {
    if (this.locked) {
      const typed = this.line;
      this.line = '';
      this.echoOffForLine = false;
      if (this.password !== undefined && typed === this.password) {
        this.locked = false;
        if (this.echo) this.host.write('\r\n');
        this.promptShown = false;
        this.showPrompt();
      }
      return;
    }
    if (!isComplete(this.line)) {
      this.line += '\n';
      if (this.showInput) this.host.write('\r\n:');
      return;
    }
    const code = this.line.trimEnd();
    const lineEcho = this.echo && !this.echoOffForLine;
    this.line = '';
    if (lineEcho) this.host.write('\r\n');
    this.promptShown = false;
    const r = this.host.execute(code);
    if (!r.ok) this.host.write(r.error.replace(/\n/g, '\r\n') + '\r\n');
    else if (lineEcho && this.echo && code.length > 0) this.host.write('=' + r.value.replace(/\n/g, '\r\n') + '\r\n');
    this.echoOffForLine = false;
    if (lineEcho) this.showPrompt();
  }
}

/**
 * Whether a console line is complete: brackets balanced (or over-closed, which is an error the
 * engine reports) and no string, template or block comment left open.
 */
export function isComplete(src: string): boolean {
  let depth = 0;
  let i = 0;
  let prevSignificant = '';
  while (i < src.length) {
    const c = src[i]!;
    if (c === '/' && src[i + 1] === '/') {
      const nl = src.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      let closed = false;
      while (j < src.length) {
        if (src[j] === '\\') j += 2;
        else if (src[j] === c) {
          closed = true;
          break;
        } else if (src[j] === '\n' && c !== '`') return true; // unterminated string: let the engine report it
        else j++;
      }
      if (!closed) return false;
      i = j + 1;
      prevSignificant = 'a';
      continue;
    }
    if (c === '/' && (prevSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prevSignificant))) {
      // A regular expression literal: skip to its closing slash.
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== '\n') {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        else if (src[j] === '/' && !inClass) break;
        j++;
      }
      i = j + 1;
      prevSignificant = 'a';
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    if (!/\s/.test(c)) prevSignificant = /[A-Za-z0-9_$)\]]/.test(c) ? 'a' : c;
    i++;
  }
  return depth <= 0;
}
