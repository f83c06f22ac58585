/**
 * What the engine needs from an IMAP server, in the engine's words. Inputs are `XxxOptions`, outputs
 * `XxxData` (as go-imap does). Folder paths are always full UTF-8 paths with the server's own
 * delimiter; modified UTF-7 (RFC 3501 §5.1.3) is encoded and decoded inside the connector.
 */
import type { Readable } from 'node:stream';
import type { AppError } from '../../core/app-error.ts';

/** SPECIAL-USE attributes (RFC 6154 §2) that folder mapping understands. */
export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

export interface FolderData {
  /** Full path, UTF-8, with `delimiter` between levels. INBOX is always `INBOX`. */
  readonly path: string;
  /** Hierarchy delimiter of this folder (RFC 3501 §6.3.8); null for a flat namespace. */
  readonly delimiter: string | null;
  /** Raw LIST attributes, e.g. `\HasChildren`, `\Noselect`. */
  readonly flags: readonly string[];
  readonly specialUse: SpecialUse | null;
  /** False for `\Noselect` / `\NonExistent` containers. */
  readonly selectable: boolean;
  readonly subscribed: boolean;
}

/** STATUS of a folder (RFC 3501 §6.3.10, HIGHESTMODSEQ from CONDSTORE RFC 7162 §3.1.2.1). */
export interface FolderStatusData {
  readonly path: string;
  readonly messages: number;
  readonly uidNext: number;
  readonly uidValidity: bigint;
  /** null when the server has no CONDSTORE or the folder has NOMODSEQ. */
  readonly highestModseq: bigint | null;
}

/** What the engine reads about one message before deciding to copy it (no body). */
export interface MessageMetaData {
  readonly uid: number;
  readonly flags: readonly string[];
  /** INTERNALDATE (RFC 3501 §2.3.3). */
  readonly internalDate: Date;
  /** RFC822.SIZE as the server reports it (octets of the CRLF form). */
  readonly size: number;
  /** Raw header lines used for the fingerprint: Message-ID, Date, From, Subject (may be empty). */
  readonly headers: Buffer;
  readonly modseq: bigint | null;
}

export interface FetchedMessage {
  readonly uid: number;
  /** The full message, exactly as the server sent it. */
  readonly source: Buffer;
}

export interface AppendItem {
  /** Message bytes with CRLF line endings (the caller converted bare LF where needed). */
  readonly content: Buffer;
  /** Flags to set; `\Recent` is never sent (RFC 3501 §2.3.2: servers set it). */
  readonly flags: readonly string[];
  readonly internalDate: Date;
}

/** Outcome of one appended item: its target UID (null without UIDPLUS), or why it was not stored. */
export type AppendItemResult = { readonly uid: number | null } | { readonly error: AppError };

export interface AppendResultData {
  /** UIDVALIDITY of the target folder from APPENDUID (RFC 4315 §3), null without UIDPLUS. */
  readonly uidValidity: bigint | null;
  /**
   * One entry per item, in order. Item errors (ITEM_REJECTED, ITEM_TOO_LARGE) concern that item only;
   * when the connection or the quota fails part way, the items not tried carry that error (transient
   * or user class) and the ones already stored keep their UIDs.
   */
  readonly results: readonly AppendItemResult[];
}

export interface FolderStatusOptions {
  /** Ask for HIGHESTMODSEQ where the server has CONDSTORE. */
  readonly condstore: boolean;
}

export interface ServerInfo {
  /** Capabilities after login, upper-case (e.g. `CONDSTORE`, `APPENDLIMIT=35882577`). */
  readonly capabilities: ReadonlySet<string>;
  /** APPENDLIMIT (RFC 7889) in octets, when the server announces a global one. */
  readonly appendLimit: number | null;
  /** Server greeting / ID information, for logs. */
  readonly serverName: string | null;
  /** This connection runs COMPRESS=DEFLATE (RFC 4978); see compression.ts for when. */
  readonly compressed?: boolean;
}

/**
 * One logged-in IMAP session. Methods that work in a folder select it themselves (read-only on the
 * source side). Errors are thrown as AppError with codes from the registry, keeping the server's
 * status, response code and text in `details`.
 */
export interface ImapSession {
  readonly info: ServerInfo;
  listFolders(): Promise<FolderData[]>;
  /** STATUS of many folders, with LIST-STATUS (RFC 5819) where offered: one round trip. */
  statusAll(folders: readonly string[], options: FolderStatusOptions): Promise<Map<string, FolderStatusData>>;
  status(path: string, options: FolderStatusOptions): Promise<FolderStatusData>;
  createFolder(path: string): Promise<void>;
  subscribe(path: string): Promise<void>;
  /**
   * All UIDs in the folder, ascending (UID SEARCH ALL), or only those ≥ `fromUid` (UID SEARCH UID n:*).
   * Selects the folder read-only.
   */
  listUids(path: string, fromUid?: number): Promise<{ uidValidity: bigint; uids: number[] }>;
  /** Metadata of the given UIDs (FETCH UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS …]). */
  fetchMeta(path: string, uids: readonly number[]): AsyncIterable<MessageMetaData>;
  /** Full messages of the given UIDs in batches (BODY.PEEK[]), never setting \Seen. */
  fetchMessages(path: string, uids: readonly number[]): AsyncIterable<FetchedMessage>;
  /** One message as a stream, for items too large to hold in memory. */
  downloadMessage(path: string, uid: number): Promise<Readable>;
  /**
   * Appends items; uses MULTIAPPEND (RFC 3502) when offered and more than one item is given, falling
   * back to one APPEND per item for a batch the server refused (RFC 3502 §6.3.11: all or nothing).
   * Throws (nothing stored) when the folder does not exist or the connection fails before any item.
   */
  append(path: string, items: readonly AppendItem[]): Promise<AppendResultData>;
  /** UIDs in `path` whose Message-ID header equals the given one (SEARCH HEADER, RFC 3501 §6.4.4). */
  searchByMessageId(path: string, messageId: string): Promise<number[]>;
  /** UIDs in `path` with this exact RFC822.SIZE and INTERNALDATE day: candidates for fingerprint matching. */
  searchBySize(path: string, size: number): Promise<number[]>;
  /**
   * Gives the given UIDs exactly these flags (UID STORE set FLAGS.SILENT; one command per 500 UIDs).
   * With `uidValidity`, stores nothing and returns false when the folder has another UIDVALIDITY.
   */
  setFlags(path: string, uids: readonly number[], flags: readonly string[], uidValidity?: bigint): Promise<boolean>;
  /** Flags of messages changed since a MODSEQ (CHANGEDSINCE, RFC 7162 §3.1.4), or of all when null. */
  fetchFlags(path: string, changedSince: bigint | null): AsyncIterable<{ uid: number; flags: readonly string[]; modseq: bigint | null }>;
  close(): Promise<void>;
}
