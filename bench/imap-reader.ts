/**
 * A minimal IMAP4rev1 client (RFC 3501) for reading a whole account as fast as the server sends it:
 * one command at a time, plain TCP on loopback, literals handed to a sink as they arrive so a 25 MB
 * message is hashed in chunks and never held whole. Only what the correctness gate needs: LOGIN, LIST,
 * STATUS, EXAMINE, UID SEARCH, UID FETCH, LOGOUT. Deliberately independent of the project's connector
 * and of ImapFlow, whose parser would make checking a 0.5 GB copy slower than the copy itself.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

/** Receives one literal's bytes (RFC 3501 §4.3) in order, then end(). */
export interface LiteralSink {
  write(chunk: Buffer): void;
  end(): void;
}

/** A complete response: its text with each literal replaced by `\0<index>\0`, and the sinks that took them. */
export interface Response {
  text: string;
  literals: LiteralSink[];
}

/** Chooses the sink for a literal, from the response text received before it (e.g. `... BODY[] {1234}`). */
export type SinkFactory = (textBefore: string, size: number) => LiteralSink;

/** Keeps a literal's bytes (mailbox names and other short strings). */
export class BufferSink implements LiteralSink {
  #parts: Buffer[] = [];
  value = '';
  write(chunk: Buffer): void {
    this.#parts.push(Buffer.from(chunk));
  }
  end(): void {
    this.value = Buffer.concat(this.#parts).toString('utf8');
    this.#parts = [];
  }
}

interface Pending {
  tag: string;
  untagged: Response[];
  resolve: (r: { untagged: Response[]; status: string }) => void;
  reject: (err: Error) => void;
}

const LITERAL_AT_END = /\{(\d+)\+?\}\r\n$/;

export class ImapReader {
  #socket: Socket;
  #rest: Buffer = Buffer.alloc(0);
  #text = '';
  #literals: LiteralSink[] = [];
  #literal: { remaining: number; sink: LiteralSink } | undefined;
  #next = 0;
  #pending: Pending | undefined;
  #greeting: Promise<void>;
  #sinkFactory: SinkFactory = () => new BufferSink();
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    let greeted: () => void = () => {};
    let failed: (err: Error) => void = () => {};
    this.#greeting = new Promise((resolve, reject) => {
      greeted = resolve;
      failed = reject;
    });
    // The greeting is the first untagged response; nothing is pending yet.
    this.#pending = { tag: '', untagged: [], resolve: () => greeted(), reject: failed };
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('IMAP connection closed')));
  }

  /** Connects and logs in with LOGIN (plain-text loopback test servers only). */
  static async open(account: { host: string; port: number; user: string; password: string }): Promise<ImapReader> {
    const socket = connect(account.port, account.host);
    socket.setNoDelay(true);
    const reader = new ImapReader(socket);
    try {
      await reader.#greeting;
      await reader.command(`LOGIN ${quote(account.user)} ${quote(account.password)}`);
    } catch (err) {
      socket.destroy();
      throw err;
    }
    return reader;
  }

  /** Runs one command; resolves with its untagged responses, rejects on NO/BAD. */
  command(line: string, sinks?: SinkFactory): Promise<Response[]> {
    if (this.#closed) return Promise.reject(new Error('IMAP connection closed'));
    if (this.#pending) return Promise.reject(new Error('ImapReader runs one command at a time'));
    const tag = `r${++this.#next}`;
    this.#sinkFactory = sinks ?? (() => new BufferSink());
    return new Promise<{ untagged: Response[]; status: string }>((resolve, reject) => {
      this.#pending = { tag, untagged: [], resolve, reject };
      this.#socket.write(`${tag} ${line}\r\n`);
    }).then(({ untagged, status }) => {
      if (!/^OK\b/i.test(status)) throw new Error(`IMAP ${line.split(' ')[0]} failed: ${status.trim()}`);
      return untagged;
    });
  }

  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT');
    } catch {
      // The server closing first is fine.
    }
    this.#closed = true;
    this.#socket.destroy();
  }

  #fail(err: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(err);
  }

  #onData(chunk: Buffer): void {
    const data = this.#rest.length > 0 ? Buffer.concat([this.#rest, chunk]) : chunk;
    this.#rest = Buffer.alloc(0);
    let pos = 0;
    while (pos < data.length) {
      if (this.#literal) {
        const take = Math.min(this.#literal.remaining, data.length - pos);
        this.#literal.sink.write(data.subarray(pos, pos + take));
        pos += take;
        this.#literal.remaining -= take;
        if (this.#literal.remaining === 0) this.#endLiteral();
        continue;
      }
      const lf = data.indexOf(0x0a, pos);
      if (lf === -1) {
        this.#rest = Buffer.from(data.subarray(pos));
        break;
      }
      const line = data.toString('latin1', pos, lf + 1);
      pos = lf + 1;
      const literal = LITERAL_AT_END.exec(line);
      if (literal) {
        const size = Number(literal[1]);
        const before = this.#text + line;
        this.#text += line.slice(0, literal.index) + `\0${this.#literals.length}\0`;
        const sink = this.#sinkFactory(before, size);
        this.#literals.push(sink);
        this.#literal = { remaining: size, sink };
        if (size === 0) this.#endLiteral();
      } else {
        this.#text += line;
        this.#dispatch({ text: this.#text, literals: this.#literals });
        this.#text = '';
        this.#literals = [];
      }
    }
  }

  #endLiteral(): void {
    this.#literal?.sink.end();
    this.#literal = undefined;
  }

  #dispatch(response: Response): void {
    const pending = this.#pending;
    if (!pending) return; // unsolicited data between commands: nothing asked for it
    if (response.text.startsWith('* ') || response.text.startsWith('+')) {
      if (pending.tag === '') {
        this.#pending = undefined;
        if (/^\* (OK|PREAUTH)\b/i.test(response.text)) pending.resolve({ untagged: [], status: 'OK' });
        else pending.reject(new Error(`IMAP greeting: ${response.text.trim()}`));
        return;
      }
      pending.untagged.push(response);
      return;
    }
    if (response.text.startsWith(`${pending.tag} `)) {
      this.#pending = undefined;
      pending.resolve({ untagged: pending.untagged, status: response.text.slice(pending.tag.length + 1) });
    }
  }
}

/** A quoted string (RFC 3501 §4.3); callers only pass ASCII without CR/LF (mailbox names from LIST are mUTF-7). */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The value of a quoted string, atom, NIL or literal marker at the start of `text`, and what follows. */
export function readAstring(text: string, literals: LiteralSink[]): { value: string | null; rest: string } {
  if (text.startsWith('"')) {
    let value = '';
    let i = 1;
    for (; i < text.length && text[i] !== '"'; i++) value += text[i] === '\\' ? text[++i] : text[i];
    return { value, rest: text.slice(i + 1) };
  }
  const marker = /^\0(\d+)\0/.exec(text);
  if (marker) {
    const sink = literals[Number(marker[1])];
    return { value: sink instanceof BufferSink ? sink.value : '', rest: text.slice(marker[0].length) };
  }
  const atom = /^[^\s()]+/.exec(text)?.[0] ?? '';
  return { value: atom.toUpperCase() === 'NIL' ? null : atom, rest: text.slice(atom.length) };
}
