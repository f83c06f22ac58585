/**
 * Which source folders a pass must open. An unchanged folder costs one STATUS round trip (DESIGN.md
 * "Delta passes are cheap"): same UIDVALIDITY, same UIDNEXT (no new message, RFC 3501 §2.3.1.1),
 * same HIGHESTMODSEQ when the server has CONDSTORE (no flag change either, RFC 7162 §3.1.2.1), same
 * settings, and nothing failed or in doubt waiting to be retried.
 */
import type { FolderStatusData } from '../connectors/imap/types.ts';
import type { FolderState } from '../core/ledger.ts';

export type FolderDecision =
  | { readonly action: 'skip'; readonly reason: 'unchanged' }
  | { readonly action: 'sync'; readonly reason: FolderChangeReason };

export type FolderChangeReason =
  | 'new-folder'
  | 'uidvalidity-changed'
  | 'new-messages'
  | 'modseq-changed'
  | 'pending-items'
  | 'settings-changed'
  | 'time-dependent-filter'
  | 'flags-without-condstore'
  | 'forced';

export interface PlanFolderInput {
  readonly status: FolderStatusData;
  readonly state: FolderState | undefined;
  /** Failed + in-doubt ledger items of this folder. */
  readonly pending: number;
  /** Hash of filters and mapping settings of this pass. */
  readonly settingsHash: string;
  /** A filter depends on the current time (age), so excluded items must be looked at again. */
  readonly timeDependentFilter: boolean;
  /** Flag changes are carried (--syncflags); without CONDSTORE they cannot be seen from STATUS. */
  readonly syncFlags: boolean;
  /** Full and verify passes look at every folder. */
  readonly force: boolean;
}

/** Decides whether one folder must be opened in this pass. Pure. */
export function planFolder(input: PlanFolderInput): FolderDecision {
  const { status, state } = input;
  if (input.force) return { action: 'sync', reason: 'forced' };
  if (!state) return { action: 'sync', reason: 'new-folder' };
  if (state.uidValidity !== status.uidValidity) return { action: 'sync', reason: 'uidvalidity-changed' };
  if (input.pending > 0) return { action: 'sync', reason: 'pending-items' };
  if (state.filterHash !== input.settingsHash) return { action: 'sync', reason: 'settings-changed' };
  if (status.uidNext !== state.uidNext) return { action: 'sync', reason: 'new-messages' };
  if (input.timeDependentFilter && status.messages > 0) return { action: 'sync', reason: 'time-dependent-filter' };
  if (input.syncFlags) {
    if (status.highestModseq === null || state.highestModseq === null) {
      return status.messages > 0 ? { action: 'sync', reason: 'flags-without-condstore' } : { action: 'skip', reason: 'unchanged' };
    }
    if (status.highestModseq !== state.highestModseq) return { action: 'sync', reason: 'modseq-changed' };
  }
  // Expunges lower MESSAGES without moving UIDNEXT. Deletions are not propagated by default, so a
  // smaller folder needs no work.
  return { action: 'skip', reason: 'unchanged' };
}
