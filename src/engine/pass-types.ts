/**
 * Inputs and outputs of a pass (DESIGN.md vocabulary: a pass is one run of the engine over one
 * mailbox pair). Options are data; dependencies (database, how to open a session, clock, logger)
 * are injected so tests can put a fault-injecting proxy or a fake clock in between.
 */
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.ts';
import type { ImapEndpoint } from '../core/endpoint.ts';
import type { AppError } from '../core/app-error.ts';
import type { PassCounts, PassKind, PassStatus } from '../core/ledger.ts';
import type { ImapSession } from '../connectors/imap/types.ts';
import type { FilterOptions } from './filters.ts';

/** Folder selection and renaming, as the user gives it (imapsync's options). */
export interface FolderSelection {
  readonly include: readonly RegExp[];
  readonly exclude: readonly RegExp[];
  /** Only these source folders (--folder); null for all. */
  readonly folders: readonly string[] | null;
  readonly regexTrans: ReadonlyArray<{ readonly pattern: RegExp; readonly replacement: string }>;
  /** Guess special-use from folder names when the attribute is missing (--automap). */
  readonly automap: boolean;
}

export interface PassOptions {
  readonly kind: PassKind;
  readonly selection: FolderSelection;
  readonly filters: FilterOptions;
  /** Carry flag changes of already migrated items on deltas (--syncflags). */
  readonly syncFlags: boolean;
  /** Plan only: no folder created, nothing appended, nothing written to the ledger (--dry). */
  readonly dryRun: boolean;
  /** Create the folders only (--justfolders). */
  readonly justFolders: boolean;
  /** Folders synced in parallel; each lane holds one connection on each side. */
  readonly connections: number;
  /** Name of this process in pass records (host:pid). */
  readonly worker: string;
  /** Messages per FETCH/APPEND batch. */
  readonly batchMessages: number;
  /** Bytes per FETCH/APPEND batch. */
  readonly batchBytes: number;
  /** Bytes of mail the whole pass holds at once, over all lanes (byte-budget.ts); bounds memory. */
  readonly memoryBytes: number;
  /**
   * A folder with more messages to copy than this is cut into shares of this size that idle lanes
   * help copy (shared-copies.ts); 0 never shares. Default DEFAULT_SPLIT_MESSAGES (--split).
   */
  readonly splitMessages?: number;
}

/** Messages per share of a large folder: 5 batches, so a share is worth a lane's SELECT and set-up. */
export const DEFAULT_SPLIT_MESSAGES = 1000;

/**
 * 8 MiB batches keep a batch's round trip small against its transfer; 32 MiB for the whole pass
 * lets 4 lanes each hold a batch and read the next, and keeps a pass's mail under ~32 MiB plus one
 * message larger than that (docs/passes-and-ledger.md, docs/benchmarks.md).
 */
export const DEFAULT_BATCH = { batchMessages: 200, batchBytes: 8 * 1024 * 1024, memoryBytes: 32 * 1024 * 1024 } as const;

export interface PairRef {
  readonly id: string;
  readonly source: ImapEndpoint;
  readonly target: ImapEndpoint;
}

export type SessionOpener = (endpoint: ImapEndpoint, name: string) => Promise<ImapSession>;

export type ProgressEvent =
  | { readonly type: 'pass-started'; readonly passId: string }
  /** `estimatedItems`: new messages in the changed folders by their STATUS, before any is read. */
  | { readonly type: 'plan'; readonly folders: number; readonly foldersToSync: number; readonly estimatedItems: number }
  | { readonly type: 'folder-planned'; readonly folder: string; readonly toCopy: number; readonly bytes: number }
  | { readonly type: 'copied'; readonly folder: string; readonly count: number; readonly bytes: number }
  | { readonly type: 'folder-done'; readonly report: FolderReport };

export interface PassDeps {
  readonly pool: Pool;
  readonly openSession: SessionOpener;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface FolderReport {
  readonly source: string;
  readonly target: string;
  readonly reason: string;
  copied: number;
  alreadyThere: number;
  skipped: number;
  excluded: number;
  failed: number;
  bytes: number;
  flagsUpdated: number;
  error: AppError | null;
}

/** A new, empty report for one folder of a pass. */
export function newFolderReport(source: string, target: string, reason: string): FolderReport {
  return { source, target, reason, copied: 0, alreadyThere: 0, skipped: 0, excluded: 0, failed: 0, bytes: 0, flagsUpdated: 0, error: null };
}

export interface PassOutcome {
  readonly passId: string | null;
  readonly status: PassStatus;
  readonly counts: PassCounts;
  readonly folders: readonly FolderReport[];
  /** The error that stopped the pass (login failed, quota full …), if any. */
  readonly error: AppError | null;
  readonly warnings: readonly string[];
  readonly durationMs: number;
  readonly dryRun: boolean;
}
