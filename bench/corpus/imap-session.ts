/**
 * A minimal IMAP4rev1 client session for seeding and checking benchmark sources: pipelined commands,
 * MULTIAPPEND (RFC 3502) with LITERAL+ (RFC 7888) or synchronizing literals (RFC 3501 §7.5), and
 * literal-aware response reading. Deliberately independent of the code under test (a benchmark that
 * seeded through Cutover's connector would measure it against itself) and of ImapFlow, which has no
 * MULTIAPPEND.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface ImapAccount {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface ImapResponse {
  status: 'OK' | 'NO' | 'BAD';
  /** The tagged line after the status, e.g. `[APPENDUID 1 5:9] Append completed.` */
  text: string;
  /** Untagged lines received while this was the oldest pending command. */
  untagged: string[];
}

/** One message of an APPEND: RFC 3501 §6.3.11 flag list, date-time and the literal. */
export interface AppendItem {
  flags: string[];
  internalDate: Date;
  content: Buffer;
}

interface Pending {
  tag: string;
  untagged: string[];
  resolve: (response: ImapResponse) => void;
  reject: (err: Error) => void;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3501 §9 date-time, in UTC. */
export function imapDateTime(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `"${p(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000"`;
}

/** RFC 3501 quoted string (our names and passwords have no CR/LF; checked by the callers' data). */
export function quoted(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('IMAP quoted strings cannot hold CR or LF');
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export class ImapSession {
  readonly capabilities = new Set<string>();
  #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  /** The response line being read, split where literals are (RFC 3501 §4.3). */
  #line: Buffer[] = [];
  /** Bytes of a literal still to be read into the current line. */
  #literalLeft = 0;
  #pending = new Map<string, Pending>();
  #continuation: { resolve: () => void; reject: (err: Error) => void } | undefined;
  #greeting: { resolve: () => void; reject: (err: Error) => void } | undefined;
  #failure: Error | undefined;
  #tagNo = 0;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('IMAP connection closed')));
  }

  /** Connects, logs in (LOGIN, RFC 3501 §6.2.3) and reads the post-login CAPABILITY. */
  static async open(account: ImapAccount): Promise<ImapSession> {
    const session = new ImapSession(connect(account.port, account.host));
    try {
      await new Promise<void>((resolve, reject) => (session.#greeting = { resolve, reject }));
      await session.ok(`LOGIN ${quoted(account.user)} ${quoted(account.password)}`);
      const caps = await session.ok('CAPABILITY');
      const line = caps.untagged.find((l) => /^\* CAPABILITY /i.test(l)) ?? '';
      for (const cap of line.slice('* CAPABILITY '.length).toUpperCase().split(' ')) if (cap) session.capabilities.add(cap);
    } catch (err) {
      session.close();
      throw err;
    }
    return session;
  }

  /** Sends a command; resolves with its tagged status (NO/BAD included). Commands may be pipelined. */
  command(text: string): Promise<ImapResponse> {
    const tag = this.#nextTag();
    const result = this.#expect(tag);
    this.#socket.write(`${tag} ${text}\r\n`);
    return result;
  }

  /** Like command(), but NO or BAD rejects with the server's words. */
  async ok(text: string): Promise<ImapResponse> {
    const response = await this.command(text);
    if (response.status !== 'OK') throw new Error(`IMAP ${text.split(' ')[0] ?? ''} failed: ${response.status} ${response.text}`);
    return response;
  }

  /**
   * One APPEND of one or more messages (RFC 3502 MULTIAPPEND when more than one). With LITERAL+ the
   * whole command is written at once (and can be pipelined); without it every literal waits for the
   * server's continuation request, so only one such APPEND may run per session at a time.
   */
  async append(mailbox: string, items: AppendItem[], literalPlus: boolean): Promise<ImapResponse> {
    const tag = this.#nextTag();
    const result = this.#expect(tag);
    let head = `${tag} APPEND ${quoted(mailbox)}`;
    for (const item of items) {
      const flags = item.flags.length > 0 ? ` (${item.flags.join(' ')})` : ' ()';
      head += `${flags} ${imapDateTime(item.internalDate)} {${item.content.length}${literalPlus ? '+' : ''}}\r\n`;
      if (literalPlus) {
        this.#socket.write(head);
      } else {
        const go = new Promise<void>((resolve, reject) => (this.#continuation = { resolve, reject }));
        this.#socket.write(head);
        // A NO instead of '+' (e.g. the folder does not exist) ends the command early.
        await Promise.race([go, result.then((r) => { throw new Error(`IMAP APPEND refused: ${r.status} ${r.text}`); })]);
      }
      this.#socket.write(item.content);
      head = '';
    }
    this.#socket.write('\r\n');
    return result;
  }

  /** LOGOUT and close; errors are ignored (the session is done either way). */
  async logout(): Promise<void> {
    try {
      await this.command('LOGOUT');
    } catch {
      // Closing anyway.
    }
    this.close();
  }

  close(): void {
    this.#socket.destroy();
  }

  #nextTag(): string {
    return `S${++this.#tagNo}`;
  }

  #expect(tag: string): Promise<ImapResponse> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#pending.set(tag, { tag, untagged: [], resolve, reject }));
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
    this.#continuation?.reject(this.#failure);
    this.#continuation = undefined;
    this.#greeting?.reject(this.#failure);
    this.#greeting = undefined;
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#literalLeft > 0) {
        if (this.#buffer.length < this.#literalLeft) return;
        this.#line.push(this.#buffer.subarray(0, this.#literalLeft));
        this.#buffer = this.#buffer.subarray(this.#literalLeft);
        this.#literalLeft = 0;
      }
      const eol = this.#buffer.indexOf('\r\n');
      if (eol === -1) return;
      const part = this.#buffer.subarray(0, eol + 2);
      this.#buffer = this.#buffer.subarray(eol + 2);
      this.#line.push(part);
      const literal = /\{(\d+)\}\r\n$/.exec(part.toString('latin1', Math.max(0, part.length - 24)));
      if (literal) {
        this.#literalLeft = Number(literal[1]);
        continue;
      }
      const line = Buffer.concat(this.#line).toString('utf8').replace(/\r\n$/, '');
      this.#line = [];
      this.#onLine(line);
    }
  }

  #onLine(line: string): void {
    if (this.#greeting) {
      const greeting = this.#greeting;
      this.#greeting = undefined;
      if (line.startsWith('* OK')) greeting.resolve();
      else greeting.reject(new Error(`unexpected IMAP greeting: ${line}`));
      return;
    }
    if (line.startsWith('+')) {
      const continuation = this.#continuation;
      this.#continuation = undefined;
      continuation?.resolve();
      return;
    }
    if (line.startsWith('* ')) {
      // Dovecot answers pipelined commands in order, so an untagged line belongs to the oldest one.
      this.#pending.values().next().value?.untagged.push(line);
      return;
    }
    const space = line.indexOf(' ');
    const pending = this.#pending.get(line.slice(0, space));
    if (!pending) return;
    this.#pending.delete(pending.tag);
    const rest = line.slice(space + 1);
    const status = rest.slice(0, rest.indexOf(' ') === -1 ? undefined : rest.indexOf(' ')).toUpperCase();
    const text = rest.slice(status.length + 1);
    pending.resolve({ status: status === 'OK' || status === 'NO' ? status : 'BAD', text, untagged: pending.untagged });
  }
}
