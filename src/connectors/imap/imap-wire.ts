/**
 * The narrow, typed view of ImapFlow internals that the connector uses: `exec()` (one tagged command
 * with our own untagged handlers) and the shape of parsed responses. ImapFlow marks `exec` as
 * internal and types its parser output loosely, so everything crossing this boundary is narrowed here
 * and nowhere else. Also the small wire-format helpers shared by several operations (sequence sets,
 * response codes, INTERNALDATE).
 *
 * Why `exec()` at all: ImapFlow's STATUS, SEARCH and STORE helpers catch server errors and return
 * `false`, which would hide a NO from the engine; and it has no MULTIAPPEND. Running those commands
 * through `exec()` keeps ImapFlow's queueing, literal handling and logging while every NO reaches us.
 */
import type { ImapFlow } from 'imapflow';
import { decodePath, encodePath, normalizePath } from 'imapflow/lib/tools.js';

/** One parsed token of a server response (ImapFlow's parser output, narrowed). */
export interface WireNode {
  readonly type: string;
  readonly value?: unknown;
  readonly section?: readonly WireAttribute[];
}

/** A token, a parenthesised list, or NIL. */
export type WireAttribute = WireNode | readonly WireAttribute[] | null;

/** A parsed response line: tagged (`A1 OK …`) or untagged (`* 3 FETCH …`). */
export interface WireResponse {
  readonly tag: string;
  readonly command: string;
  readonly attributes?: readonly WireAttribute[];
}

/** An argument we send: ImapFlow's compiler quotes STRING, writes ATOM/SEQUENCE verbatim and LITERAL as `{n}`/`{n+}`. */
export type OutAttribute =
  | { readonly type: 'ATOM' | 'STRING' | 'SEQUENCE'; readonly value: string; readonly sensitive?: boolean }
  | { readonly type: 'LITERAL'; readonly value: Buffer }
  | readonly OutAttribute[];

export type UntaggedHandler = (response: WireResponse) => void | Promise<void>;

interface ExecResult {
  readonly response: WireResponse;
  /** Releases ImapFlow's reader; must be called or the connection stalls. */
  readonly next: () => void;
}

interface ExecCapable {
  exec(command: string, attributes: readonly OutAttribute[] | false, options?: { untagged?: Record<string, UntaggedHandler>; comment?: string }): Promise<ExecResult>;
}

/**
 * Runs one command and returns its tagged OK response. A NO/BAD rejects with ImapFlow's error
 * (responseStatus, responseText, response), which `mapImapError` understands.
 */
export async function execCommand(
  client: ImapFlow,
  command: string,
  attributes: readonly OutAttribute[],
  untagged: Record<string, UntaggedHandler> = {},
): Promise<WireResponse> {
  // `exec` exists on every ImapFlow instance but is stripped from the published typings (@internal).
  const execClient = client as unknown as ExecCapable;
  const result = await execClient.exec(command, attributes.length > 0 ? attributes : false, { untagged });
  result.next();
  return result.response;
}

/** True when `value` is a token node (not a list, not NIL). */
export function isNode(value: WireAttribute | undefined): value is WireNode {
  return value !== null && value !== undefined && !Array.isArray(value);
}

/** The text of a token (ATOM, STRING, LITERAL, SEQUENCE, NUMBER), or null. */
export function nodeText(value: WireAttribute | undefined): string | null {
  if (!isNode(value)) return null;
  const v = value.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return v.toString();
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return null;
}

/**
 * The response code of a status response (`OK [APPENDUID 1 5] …` → `['APPENDUID', '1', '5']`),
 * upper-casing the code name. Empty when there is none (RFC 3501 §7.1).
 */
export function responseCodeOf(response: WireResponse | undefined): string[] {
  const first = response?.attributes?.[0];
  if (!isNode(first) || !first.section || first.section.length === 0) return [];
  const parts = first.section.map((part) => nodeText(part) ?? '');
  parts[0] = (parts[0] ?? '').toUpperCase();
  return parts;
}

/** The human-readable text of a status response. */
export function responseTextOf(response: WireResponse | undefined): string {
  return (response?.attributes ?? [])
    .filter((a): a is WireNode => isNode(a) && a.type === 'TEXT')
    .map((a) => nodeText(a) ?? '')
    .join(' ')
    .trim();
}

/** Full UTF-8 path → wire form (namespace prefix applied, modified UTF-7 unless UTF8=ACCEPT; RFC 3501 §5.1.3). */
export function wirePath(client: ImapFlow, path: string): string {
  return encodePath(client, normalizePath(client, path));
}

/** Wire mailbox name → UTF-8 path. */
export function utf8Path(client: ImapFlow, wireName: string): string {
  return normalizePath(client, decodePath(client, wireName), true);
}

/** Compresses ascending-or-not UIDs into a sequence set (`1:5,9`) (RFC 3501 §9 sequence-set). */
export function toSequenceSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].filter((u) => Number.isSafeInteger(u) && u > 0).sort((a, b) => a - b);
  const parts: string[] = [];
  let start = -1;
  let prev = -1;
  for (const uid of sorted) {
    if (uid === prev + 1) {
      prev = uid;
      continue;
    }
    if (start !== -1) parts.push(start === prev ? `${start}` : `${start}:${prev}`);
    start = uid;
    prev = uid;
  }
  if (start !== -1) parts.push(start === prev ? `${start}` : `${start}:${prev}`);
  return parts.join(',');
}

/**
 * Expands a uid-set in order (`5:7,2` → 5,6,7,2). RFC 4315 §3 defines the order of APPENDUID/COPYUID
 * sets as the order of the messages, and allows `a:b` with a > b, which then counts downwards.
 */
export function expandSequenceSet(set: string): number[] | null {
  const out: number[] = [];
  for (const part of set.split(',')) {
    const m = /^(\d{1,10})(?::(\d{1,10}))?$/.exec(part.trim());
    if (!m) return null;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = a <= b ? 1 : -1;
    if (Math.abs(b - a) > 10_000_000) return null;
    for (let u = a; ; u += step) {
      out.push(u);
      if (u === b) break;
    }
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** INTERNALDATE in the APPEND date-time form `"dd-Mon-yyyy hh:mm:ss +0000"` (RFC 3501 §9), in UTC. */
export function formatInternalDate(date: Date): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return (
    `${p2(date.getUTCDate())}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ` +
    `${p2(date.getUTCHours())}:${p2(date.getUTCMinutes())}:${p2(date.getUTCSeconds())} +0000`
  );
}

/** The content of an IMAP quoted string without its quotes: `\\x` → `x` (RFC 3501 §9 `quoted`). */
export function unquote(inner: string): string {
  return inner.replace(/\\(.)/g, '$1');
}

/**
 * Which of a response's literals an attribute at `at` in its line refers to: the number of literal
 * markers (`{n}` + CRLF, ImapFlow keeps them in the line) before it.
 */
export function literalIndexBefore(line: string, at: number): number {
  return line.slice(0, at).match(/~?\{\d+\+?\}\r\n/g)?.length ?? 0;
}
