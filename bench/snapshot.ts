/**
 * What the correctness gate compares: per folder its UIDVALIDITY and, per message, the sha256 of its
 * bytes, its flags, INTERNALDATE and size. Read over several connections with ImapReader, so checking
 * a 0.5 GB copy takes less time than the copy. Given an earlier snapshot of the same account, folders
 * whose UIDVALIDITY did not change download only the flags of known UIDs (IMAP messages are immutable,
 * RFC 3501 §2.3.1.1) and the bodies of new ones — the delta passes are checked at delta cost.
 */
import { createHash } from 'node:crypto';
import { ImapReader, quote, readAstring } from './imap-reader.ts';
import type { LiteralSink, Response } from './imap-reader.ts';
import type { SnapshotMessage } from '../test/helpers/mailbox-snapshot.ts';

/**
 * One message as the gate compares it: the same record as the tests' snapshot (uid, sha256, flags,
 * INTERNALDATE, size, subject). Here the sha256 is of the bytes as the server sends them (CRLF), less
 * the tool's added header line if any (mbsync's X-TUID).
 */
export type MessageState = SnapshotMessage;

export interface FolderState {
  uidValidity: number;
  messages: Map<number, MessageState>;
}

/** Folder path ('/'-joined, INBOX upper-case, names as the server lists them) -> state. */
export type AccountSnapshot = Map<string, FolderState>;

export interface SnapshotAccount {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface SnapshotOptions {
  /** Connections read in parallel (default 4). */
  connections?: number;
  /** A header field the tool adds to every copy (mbsync's X-TUID): its first line is left out of the hash. */
  dropHeader?: string;
  /** An earlier snapshot of this account: unchanged folders download only flags and new messages. */
  previous?: AccountSnapshot;
}

/** Messages per UID FETCH when a large folder is split between connections. */
const CHUNK = 2000;
/** A header longer than this is hashed as it is (no tool adds a line that far down). */
const HEAD_LIMIT = 256 * 1024;

/** Hashes one message as it streams in; keeps only its header until the header ends. */
class BodyHasher implements LiteralSink {
  result: { sha256: string; size: number; subject: string } | undefined;
  #hash = createHash('sha256');
  #head: Buffer[] = [];
  #headLength = 0;
  #inBody = false;
  #size = 0;
  #subject = '';
  #drop: RegExp | undefined;

  constructor(dropHeader: string | undefined) {
    const name = dropHeader?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // The field's line and its folded continuation lines (RFC 5322 §2.2.3), at the start of a line.
    this.#drop = name ? new RegExp(`(^|\\r\\n)(${name}:[^\\r\\n]*\\r\\n(?:[ \\t][^\\r\\n]*\\r\\n)*)`, 'i') : undefined;
  }

  write(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#inBody) {
      this.#hash.update(chunk);
      return;
    }
    this.#head.push(chunk);
    this.#headLength += chunk.length;
    if (this.#headLength >= HEAD_LIMIT || Buffer.concat(this.#head).includes('\r\n\r\n')) this.#flushHead();
  }

  end(): void {
    if (!this.#inBody) this.#flushHead();
    this.result = { sha256: this.#hash.digest('hex'), size: this.#size, subject: this.#subject };
  }

  #flushHead(): void {
    const head = Buffer.concat(this.#head);
    this.#head = [];
    this.#inBody = true;
    const blank = head.indexOf('\r\n\r\n');
    const headerEnd = blank === -1 ? Math.min(head.length, HEAD_LIMIT) : blank + 2;
    let header = head.toString('latin1', 0, headerEnd);
    this.#subject = /^subject:[ \t]*(.*(?:\r\n[ \t].*)*)/im.exec(header)?.[1]?.replace(/\r\n[ \t]/g, ' ').trim() ?? '';
    const match = this.#drop?.exec(header);
    if (match) header = header.slice(0, match.index + match[1]!.length) + header.slice(match.index + match[0].length);
    this.#hash.update(Buffer.from(header, 'latin1'));
    this.#hash.update(head.subarray(headerEnd));
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3501 date-time, e.g. ` 1-Jun-2001 12:00:00 +0200`, as ISO 8601 UTC. */
export function parseInternalDate(value: string): string {
  const m = /^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/.exec(value);
  if (!m) throw new Error(`bad INTERNALDATE ${JSON.stringify(value)}`);
  const month = MONTHS.findIndex((name) => name.toLowerCase() === m[2]!.toLowerCase());
  const offsetMin = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) - offsetMin * 60_000;
  return new Date(utc).toISOString();
}

interface Fetched {
  uid: number;
  flags: string[];
  internalDate?: string;
  body?: BodyHasher;
}

function parseFetch(response: Response): Fetched | undefined {
  if (!/^\* \d+ FETCH /i.test(response.text)) return undefined;
  const uid = /\bUID (\d+)/i.exec(response.text);
  if (!uid) return undefined;
  const flags = /\bFLAGS \(([^)]*)\)/i.exec(response.text)?.[1]?.split(' ').filter((f) => f !== '' && f.toLowerCase() !== '\\recent').sort() ?? [];
  const date = /\bINTERNALDATE "([^"]+)"/i.exec(response.text)?.[1];
  const literal = /BODY\[\] \0(\d+)\0/i.exec(response.text);
  const body = literal ? response.literals[Number(literal[1])] : undefined;
  const fetched: Fetched = { uid: Number(uid[1]), flags };
  if (date !== undefined) fetched.internalDate = parseInternalDate(date);
  if (body instanceof BodyHasher) fetched.body = body;
  return fetched;
}

/** A UID set (RFC 3501 §9 sequence-set) of sorted UIDs, with ranges. */
export function uidSet(uids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; i++) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j;
  }
  return parts.join(',');
}

interface Folder {
  name: string;
  key: string;
}

interface Task {
  folder: Folder;
  uidValidity: number;
  /** UIDs whose bodies to fetch (undefined: the whole folder). */
  uids?: number[];
  /** Incremental: flags of every message, bodies of UIDs not in here. */
  previous?: FolderState;
}

async function fetchBodies(reader: ImapReader, set: string, dropHeader: string | undefined, into: Map<number, MessageState>): Promise<void> {
  const responses = await reader.command(`UID FETCH ${set} (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])`, (before) =>
    /BODY\[\] \{\d+\}\r\n$/i.test(before) ? new BodyHasher(dropHeader) : { write() {}, end() {} });
  for (const response of responses) {
    const f = parseFetch(response);
    if (!f?.body?.result || f.internalDate === undefined) continue;
    into.set(f.uid, { uid: f.uid, flags: f.flags, internalDate: f.internalDate, ...f.body.result });
  }
}

async function runTask(reader: ImapReader, task: Task, dropHeader: string | undefined, state: FolderState): Promise<void> {
  const selected = await reader.command(`EXAMINE ${quote(task.folder.name)}`);
  const uidValidity = Number(selected.map((r) => /\[UIDVALIDITY (\d+)\]/i.exec(r.text)?.[1]).find((v) => v !== undefined));
  // The account must not change while it is read; a new UIDVALIDITY means it did.
  if (uidValidity !== task.uidValidity) throw new Error(`snapshot: UIDVALIDITY of ${task.folder.key} changed while reading`);
  if (!task.previous) {
    await fetchBodies(reader, task.uids ? uidSet(task.uids) : '1:*', dropHeader, state.messages);
    return;
  }
  const flags = (await reader.command('UID FETCH 1:* (UID FLAGS)')).map(parseFetch).filter((f) => f !== undefined);
  const unknown: number[] = [];
  for (const f of flags) {
    const known = task.previous.messages.get(f.uid);
    if (known) state.messages.set(f.uid, { ...known, flags: f.flags });
    else unknown.push(f.uid);
  }
  unknown.sort((a, b) => a - b);
  for (let i = 0; i < unknown.length; i += CHUNK) await fetchBodies(reader, uidSet(unknown.slice(i, i + CHUNK)), dropHeader, state.messages);
}

async function listFolders(reader: ImapReader): Promise<Folder[]> {
  const folders: Folder[] = [];
  for (const r of await reader.command('LIST "" "*"')) {
    const m = /^\* LIST \(([^)]*)\) (NIL|"(?:[^"\\]|\\.)*") (.*)\r\n$/is.exec(r.text);
    if (!m) continue;
    if (/\\(Noselect|NonExistent)\b/i.test(m[1]!)) continue;
    const delimiter = readAstring(m[2]!, r.literals).value;
    const name = readAstring(m[3]!, r.literals).value;
    if (name === null) continue;
    const joined = delimiter ? name.split(delimiter).join('/') : name;
    folders.push({ name, key: joined.toUpperCase() === 'INBOX' ? 'INBOX' : joined });
  }
  return folders;
}

/** Every message of every selectable folder; folders are opened read-only (EXAMINE), so \Seen is untouched. */
export async function readAccount(account: SnapshotAccount, options: SnapshotOptions = {}): Promise<AccountSnapshot> {
  const coordinator = await ImapReader.open(account);
  const snapshot: AccountSnapshot = new Map();
  const tasks: Array<Task & { size: number }> = [];
  try {
    for (const folder of await listFolders(coordinator)) {
      const status = await coordinator.command(`STATUS ${quote(folder.name)} (MESSAGES UIDVALIDITY)`);
      const text = status.map((r) => r.text).join(' ');
      const messages = Number(/MESSAGES (\d+)/i.exec(text)?.[1] ?? 0);
      const uidValidity = Number(/UIDVALIDITY (\d+)/i.exec(text)?.[1] ?? 0);
      snapshot.set(folder.key, { uidValidity, messages: new Map() });
      if (messages === 0) continue;
      const previous = options.previous?.get(folder.key);
      if (previous && previous.uidValidity === uidValidity) {
        tasks.push({ folder, uidValidity, previous, size: messages - previous.messages.size });
      } else if (messages <= CHUNK) {
        tasks.push({ folder, uidValidity, size: messages });
      } else {
        await coordinator.command(`EXAMINE ${quote(folder.name)}`);
        const search = await coordinator.command('UID SEARCH ALL');
        const uids = search.flatMap((r) => r.text.replace(/^\* SEARCH/i, '').trim().split(/\s+/)).filter((u) => u !== '').map(Number).sort((a, b) => a - b);
        for (let i = 0; i < uids.length; i += CHUNK) tasks.push({ folder, uidValidity, uids: uids.slice(i, i + CHUNK), size: Math.min(CHUNK, uids.length - i) });
      }
    }
  } finally {
    await coordinator.logout();
  }
  // Largest first, so one big folder does not end up alone at the end.
  tasks.sort((a, b) => b.size - a.size);
  const connections = Math.max(1, Math.min(options.connections ?? 4, tasks.length));
  let next = 0;
  await Promise.all(Array.from({ length: connections }, async () => {
    const reader = await ImapReader.open(account);
    try {
      for (let task = tasks[next++]; task !== undefined; task = tasks[next++]) {
        await runTask(reader, task, options.dropHeader, snapshot.get(task.folder.key)!);
      }
    } finally {
      await reader.logout();
    }
  }));
  return snapshot;
}

export function countMessages(snapshot: AccountSnapshot): number {
  let n = 0;
  for (const folder of snapshot.values()) n += folder.messages.size;
  return n;
}

export function countBytes(snapshot: AccountSnapshot): number {
  let n = 0;
  for (const folder of snapshot.values()) for (const m of folder.messages.values()) n += m.size;
  return n;
}
