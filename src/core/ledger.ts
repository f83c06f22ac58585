/**
 * Glossary of the ledger (DESIGN.md "The sync engine"):
 * - item: one message in one source folder, identified by (pair, folder, UIDVALIDITY, UID).
 * - fingerprint: hash of Message-ID, Date, From, Subject and size; backs the identity up when
 *   UIDVALIDITY changes and finds in-doubt items on the target. Never used to merge two items.
 * - state: `in_doubt` (written before APPEND), `migrated` (target UID known), `failed` (reason,
 *   attempts; retried by the next delta), `excluded` (a filter rule said no; re-evaluated when the
 *   filters change).
 */

export type ItemState = 'in_doubt' | 'migrated' | 'failed' | 'excluded';

export type PassKind = 'full' | 'delta' | 'resync' | 'final' | 'sweep' | 'verify';

export type PassStatus = 'running' | 'completed' | 'completed_with_errors' | 'failed' | 'interrupted';

export interface LedgerItem {
  readonly pairId: string;
  readonly sourceFolder: string;
  readonly uidValidity: bigint;
  readonly uid: number;
  readonly fingerprint: string;
  readonly messageId: string | null;
  readonly size: number;
  readonly internalDate: Date;
  readonly subject: string | null;
  readonly state: ItemState;
  readonly targetFolder: string | null;
  readonly targetUidValidity: bigint | null;
  readonly targetUid: number | null;
  /** Error code (registry) for failed items, the rule for excluded items. */
  readonly reasonCode: string | null;
  readonly reasonText: string | null;
  readonly attempts: number;
  /** Flags last written to (or read from) the target, for flag propagation. */
  readonly flags: readonly string[];
}

/** What a pass writes for one item; the store fills attempts and timestamps. */
export interface LedgerWrite {
  readonly sourceFolder: string;
  readonly uidValidity: bigint;
  readonly uid: number;
  readonly fingerprint: string;
  readonly messageId: string | null;
  readonly size: number;
  readonly internalDate: Date;
  readonly subject: string | null;
  readonly state: ItemState;
  readonly targetFolder: string | null;
  readonly targetUidValidity?: bigint | null;
  readonly targetUid?: number | null;
  readonly reasonCode?: string | null;
  readonly reasonText?: string | null;
  readonly flags?: readonly string[];
}

/** Per source folder: what the last completed pass saw, so an unchanged folder costs one STATUS. */
export interface FolderState {
  readonly pairId: string;
  readonly sourceFolder: string;
  readonly targetFolder: string;
  readonly uidValidity: bigint;
  readonly uidNext: number;
  readonly highestModseq: bigint | null;
  readonly messages: number;
  /** Hash of the filter settings that applied; a change re-evaluates excluded items. */
  readonly filterHash: string;
  readonly lastSyncedAt: Date;
}

export interface PassCounts {
  folders: number;
  /** Appended to the target in this pass. */
  copied: number;
  /** Found already on the target (in-doubt recovery). */
  alreadyThere: number;
  /** Skipped because the ledger says migrated. */
  skipped: number;
  excluded: number;
  failed: number;
  bytes: number;
  flagsUpdated: number;
}

export function emptyCounts(): PassCounts {
  return { folders: 0, copied: 0, alreadyThere: 0, skipped: 0, excluded: 0, failed: 0, bytes: 0, flagsUpdated: 0 };
}

export interface PassRecord {
  readonly id: string;
  readonly pairId: string;
  readonly kind: PassKind;
  readonly status: PassStatus;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly counts: PassCounts;
  readonly worker: string | null;
  readonly errorCode: string | null;
  readonly errorText: string | null;
}
