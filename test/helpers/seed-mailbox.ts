/**
 * Fills a test IMAP account with ImapFlow directly. Deliberately independent of the project's own
 * IMAP connector: a test that seeded and verified through the code under test would prove nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { join, relative, sep } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { ImapFlow } from 'imapflow';

export interface ImapEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Implicit TLS (the imaps port). */
  secure?: boolean;
  /** Upgrade a plain connection with STARTTLS. Default: only when caCertPath is given. */
  starttls?: boolean;
  /** CA (for the test servers: the self-signed certificate itself) to verify the server with. */
  caCertPath?: string;
}

export interface SeedMessage {
  raw: Buffer;
  flags?: string[];
  internalDate?: Date;
}

export interface SeedFolder {
  /** '/'-separated path in UTF-8, e.g. 'Projets/Été 2001'; translated to the server's delimiter. */
  path: string;
  messages: SeedMessage[];
  /** Expected special-use attribute. IMAP cannot set it on Dovecot (no CREATE-SPECIAL-USE), so the
   * server must be configured with it (startDovecot({ specialUse })); seeding checks it is reported. */
  specialUse?: string;
}

/** Connections used in parallel for folders; Dovecot per-user limits are raised well above this. */
const SEED_CONNECTIONS = 4;

export async function connectImap(endpoint: ImapEndpoint): Promise<ImapFlow> {
  const secure = endpoint.secure ?? false;
  const starttls = endpoint.starttls ?? (endpoint.caCertPath !== undefined && !secure);
  const client = new ImapFlow({
    host: endpoint.host,
    port: endpoint.port,
    secure,
    // false means cleartext: never silently depend on a certificate the test did not hand over.
    doSTARTTLS: secure ? undefined : starttls,
    tls: endpoint.caCertPath !== undefined ? { ca: [readFileSync(endpoint.caCertPath)] } : undefined,
    auth: { user: endpoint.user, pass: endpoint.password },
    logger: false,
    disableAutoIdle: true,
    // Raw bytes both ways: with BINARY, ImapFlow APPENDs a message containing NUL as literal8 and
    // Dovecot then re-encodes `Content-Transfer-Encoding: binary` parts as base64; without it Dovecot
    // only turns NUL into 0x80 — the same as the MULTIAPPEND path below, so seeding is deterministic.
    disableBinary: true,
  });
  try {
    await client.connect();
  } catch (err) {
    // A failed login leaves ImapFlow's socket open, which would keep the test process alive.
    client.close();
    throw err;
  }
  return client;
}

/** IMAP requires CRLF line endings: bare LF becomes CRLF, existing CRLF and lone CR stay as they are. */
export function toCrlf(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  let lf = raw.indexOf(0x0a, start);
  while (lf !== -1) {
    if (lf === 0 || raw[lf - 1] !== 0x0d) {
      parts.push(raw.subarray(start, lf), CRLF);
      start = lf + 1;
    }
    lf = raw.indexOf(0x0a, lf + 1);
  }
  if (parts.length === 0) return raw;
  parts.push(raw.subarray(start));
  return Buffer.concat(parts);
}
const CRLF = Buffer.from('\r\n');

function isInbox(path: string): boolean {
  return path.toUpperCase() === 'INBOX';
}

async function createFolders(client: ImapFlow, folders: SeedFolder[]): Promise<void> {
  for (const folder of folders) {
    if (isInbox(folder.path)) continue;
    // An array lets ImapFlow join with the server's delimiter and encode modified UTF-7.
    await client.mailboxCreate(folder.path.split('/'));
  }
  const expected = folders.filter((f) => f.specialUse !== undefined);
  if (expected.length === 0) return;
  const listed = await client.list();
  for (const folder of expected) {
    const entry = listed.find((m) => m.path.split(m.delimiter).join('/') === folder.path);
    // Only the server's own SPECIAL-USE answer counts, not ImapFlow's guess from the name.
    const reported = entry?.specialUseSource === 'extension' ? entry.specialUse : undefined;
    if (reported !== folder.specialUse) {
      throw new Error(`seedMailbox: folder ${JSON.stringify(folder.path)} should be ${folder.specialUse} but the server reports ${reported ?? 'no special use'}; configure it on the server (startDovecot({ specialUse }))`);
    }
  }
}

/**
 * A bare-bones IMAP session for MULTIAPPEND, which ImapFlow lacks: one APPEND per message costs
 * Dovecot a transaction each (≈2.5 ms), MULTIAPPEND commits hundreds at once, so a 5,000-message
 * folder seeds in about a second instead of ~15 s while UIDs keep the array order.
 */
interface RawSession {
  command(tag: string, payload: Buffer[]): Promise<string>;
  capabilities: Set<string>;
  close(): void;
}

async function openRawSession(endpoint: ImapEndpoint): Promise<RawSession> {
  const socket: Socket = endpoint.secure
    ? tlsConnect({ host: endpoint.host, port: endpoint.port, ca: endpoint.caCertPath !== undefined ? [readFileSync(endpoint.caCertPath)] : undefined, servername: isIP(endpoint.host) ? undefined : endpoint.host })
    : netConnect(endpoint.port, endpoint.host);
  socket.setNoDelay(true);
  let buffered = '';
  const lines: string[] = [];
  let waiter: (() => void) | undefined;
  let failure: Error | undefined;
  const wake = (): void => {
    const w = waiter;
    waiter = undefined;
    w?.();
  };
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (let eol = buffered.indexOf('\r\n'); eol !== -1; eol = buffered.indexOf('\r\n')) {
      lines.push(buffered.slice(0, eol));
      buffered = buffered.slice(eol + 2);
    }
    wake();
  });
  socket.on('error', (err) => {
    failure = err;
    wake();
  });
  socket.on('close', () => {
    failure ??= new Error('connection closed');
    wake();
  });
  const nextLine = async (): Promise<string> => {
    for (;;) {
      const line = lines.shift();
      if (line !== undefined) return line;
      if (failure) throw failure;
      await new Promise<void>((r) => (waiter = r));
    }
  };
  const untagged: string[] = [];
  const command = async (tag: string, payload: Buffer[]): Promise<string> => {
    for (const part of payload) socket.write(part);
    for (;;) {
      const line = await nextLine();
      if (line.startsWith(`${tag} `)) {
        if (!line.startsWith(`${tag} OK`)) throw new Error(line);
        return line;
      }
      if (line.startsWith('+')) throw new Error(`unexpected continuation request: ${line}`);
      untagged.push(line);
    }
  };
  const greeting = await nextLine();
  if (!greeting.startsWith('* OK')) throw new Error(`unexpected greeting ${greeting}`);
  await command('L', [Buffer.from(`L LOGIN ${quoteImap(endpoint.user)} ${quoteImap(endpoint.password)}\r\n`)]);
  untagged.length = 0;
  await command('C', [Buffer.from('C CAPABILITY\r\n')]);
  const capLine = untagged.find((l) => l.toUpperCase().startsWith('* CAPABILITY ')) ?? '';
  const capabilities = new Set(capLine.slice('* CAPABILITY '.length).toUpperCase().split(' '));
  return { command, capabilities, close: () => socket.destroy() };
}

function quoteImap(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** RFC 3501 modified UTF-7 for mailbox names. */
function encodeModifiedUtf7(name: string): string {
  return name.replace(/&/g, '&-').replace(/[^\x20-\x7e]+/g, (run) => {
    const utf16 = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i++) utf16.writeUInt16BE(run.charCodeAt(i), i * 2);
    return `&${utf16.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function imapDate(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `"${p(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000"`;
}

const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_MESSAGES = 500;

async function multiAppendFolder(session: RawSession, folder: SeedFolder, delimiter: string): Promise<void> {
  const mailbox = isInbox(folder.path) ? 'INBOX' : folder.path.split('/').map(encodeModifiedUtf7).join(delimiter);
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let batchCount = 0;
  let first = 0;
  let tagNo = 0;
  const flush = async (): Promise<void> => {
    if (batchCount === 0) return;
    const tag = `A${++tagNo}`;
    try {
      await session.command(tag, [Buffer.from(`${tag} APPEND ${quoteImap(mailbox)}`), ...batch, Buffer.from('\r\n')]);
    } catch (err) {
      throw new Error(`seedMailbox: MULTIAPPEND of messages #${first}-#${first + batchCount - 1} to ${JSON.stringify(folder.path)} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    first += batchCount;
    batch = [];
    batchBytes = 0;
    batchCount = 0;
  };
  for (const message of folder.messages) {
    const raw = toCrlf(message.raw);
    // Always a plain literal, like ImapFlow's APPEND: Dovecot then stores a NUL byte as 0x80, while a
    // BINARY literal8 makes it re-encode a `Content-Transfer-Encoding: binary` part as base64.
    const literal = `{${raw.length}+}`;
    const flags = message.flags && message.flags.length > 0 ? ` (${message.flags.join(' ')})` : '';
    const date = message.internalDate ? ` ${imapDate(message.internalDate)}` : '';
    batch.push(Buffer.from(`${flags}${date} ${literal}\r\n`), raw);
    batchBytes += raw.length;
    batchCount++;
    if (batchBytes >= BATCH_BYTES || batchCount >= BATCH_MESSAGES) await flush();
  }
  await flush();
}

async function appendFolder(client: ImapFlow, folder: SeedFolder): Promise<void> {
  const path = isInbox(folder.path) ? 'INBOX' : folder.path.split('/');
  for (const [index, message] of folder.messages.entries()) {
    try {
      const result = await client.append(path, toCrlf(message.raw), message.flags ?? [], message.internalDate);
      if (result === false) throw new Error('APPEND returned false');
    } catch (err) {
      // ImapFlow's message is just "Command failed"; the server's words are in `response`.
      const detail = (err as { response?: unknown }).response;
      const text = typeof detail === 'string' ? detail : err instanceof Error ? err.message : String(err);
      throw new Error(`seedMailbox: APPEND #${index} to ${JSON.stringify(folder.path)} failed: ${text}`, { cause: err });
    }
  }
}

/**
 * Creates the folders (parents included) and appends the messages in order, with flags and
 * INTERNALDATE. Folders are spread over a few connections; within one folder the order is kept, so
 * UIDs follow the array order.
 */
export async function seedMailbox(endpoint: ImapEndpoint, folders: SeedFolder[]): Promise<void> {
  const control = await connectImap(endpoint);
  let delimiter = '/';
  let multiAppend = false;
  try {
    await createFolders(control, folders);
    delimiter = (await control.list()).find((m) => isInbox(m.path))?.delimiter ?? '/';
    // The raw path speaks only plain or implicit TLS; servers that hide MULTIAPPEND or LITERAL+ (to
    // imitate Gmail or Exchange) get one ImapFlow APPEND per message.
    multiAppend = control.capabilities.has('MULTIAPPEND') && control.capabilities.has('LITERAL+') && !(endpoint.starttls ?? (endpoint.caCertPath !== undefined && !endpoint.secure));
  } finally {
    await control.logout();
  }
  // Biggest folders first so one large folder does not start last and stretch the total time.
  const queue = [...folders].filter((f) => f.messages.length > 0).sort((a, b) => b.messages.length - a.messages.length);
  const workers = Math.min(SEED_CONNECTIONS, queue.length);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      if (multiAppend) {
        const session = await openRawSession(endpoint);
        try {
          for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
            await multiAppendFolder(session, folder, delimiter);
          }
        } finally {
          session.close();
        }
        return;
      }
      const client = await connectImap(endpoint);
      try {
        for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
          await appendFolder(client, folder);
        }
      } finally {
        await client.logout();
      }
    }),
  );
}

export interface CorpusMessage {
  /** '/'-separated path relative to the corpus dir, e.g. 'belden/3.eml'. */
  relPath: string;
  raw: Buffer;
}

const byNaturalPath = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/** All `.eml` files below `dir`, recursively, in natural order (2.eml before 10.eml); bytes untouched. */
export function loadCorpusFolder(dir: string): CorpusMessage[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  const result: CorpusMessage[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.eml')) continue;
    const full = join(entry.parentPath, entry.name);
    result.push({ relPath: relative(dir, full).split(sep).join('/'), raw: readFileSync(full) });
  }
  return result.sort((a, b) => byNaturalPath(a.relPath, b.relPath));
}

/** The Date header as a Date, or undefined when absent or unparseable (comments like "(PDT)" dropped). */
export function headerDate(raw: Buffer): Date | undefined {
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  const ends = [lf, crlf].filter((i) => i !== -1);
  const header = raw.subarray(0, ends.length > 0 ? Math.min(...ends) : Math.min(raw.length, 64 * 1024)).toString('latin1');
  const match = /^date:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(header);
  if (!match?.[1]) return undefined;
  const value = match[1].replace(/\r?\n[ \t]/g, ' ').replace(/\([^)]*\)/g, '').trim();
  const ms = Date.parse(value);
  // IMAP INTERNALDATE has whole seconds; keep it comparable with what the server returns.
  return Number.isNaN(ms) ? undefined : new Date(Math.floor(ms / 1000) * 1000);
}

export interface CorpusFolderOptions {
  /** Folder for files directly in `dir`. Default INBOX. */
  rootFolder?: string;
  /** INTERNALDATE from each message's Date header, as a real mailbox would have. Default true. */
  dateFromHeader?: boolean;
}

/**
 * A corpus directory as seed folders: each directory becomes a folder of the same '/'-path, files at
 * the top go to `rootFolder`, e.g. an Enron mailbox with its real folder tree. Without explicit
 * INTERNALDATEs the server would use the time of seeding, which differs between source and target.
 */
export function corpusAsFolders(dir: string, options: CorpusFolderOptions = {}): SeedFolder[] {
  const rootFolder = options.rootFolder ?? 'INBOX';
  const dateFromHeader = options.dateFromHeader ?? true;
  const folders = new Map<string, SeedFolder>();
  for (const message of loadCorpusFolder(dir)) {
    const slash = message.relPath.lastIndexOf('/');
    const dirPath = slash === -1 ? rootFolder : message.relPath.slice(0, slash);
    // IMAP names INBOX case-insensitively: a corpus dir 'inbox' is the INBOX, not a second folder.
    const path = isInbox(dirPath) ? 'INBOX' : dirPath;
    let folder = folders.get(path);
    if (!folder) {
      folder = { path, messages: [] };
      folders.set(path, folder);
    }
    const internalDate = dateFromHeader ? headerDate(message.raw) : undefined;
    folder.messages.push(internalDate ? { raw: message.raw, internalDate } : { raw: message.raw });
  }
  return [...folders.values()].sort((a, b) => byNaturalPath(a.path, b.path));
}
