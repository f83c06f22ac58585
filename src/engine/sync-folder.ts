/**
 * One folder of one pass: plan → diff → apply.
 *  1. list the source UIDs; re-key the ledger if UIDVALIDITY changed. A delta on a folder whose last
 *     pass finished under the same UIDVALIDITY and settings reads only what is new since that pass
 *     (UIDs ≥ its UIDNEXT) plus what is still failed or in doubt, at the source and in the ledger;
 *  2. candidates = UIDs the ledger has not migrated (new, failed, in doubt, excluded to re-check);
 *  3. read their metadata: fingerprint, filters (excluded with the rule), APPENDLIMIT;
 *  4. look on the target for those that may be there already (in doubt, or a folder rebuilt);
 *  5. copy the rest (write-ahead, batches), carry flags if asked, remember the folder's STATUS.
 */
import type { ByteBudget } from './byte-budget.ts';
import type { FolderStatusData, ImapSession } from '../connectors/imap/types.ts';
import { AppError } from '../core/app-error.ts';
import { chunks } from '../core/chunks.ts';
import type { FolderState, LedgerItem, LedgerWrite } from '../core/ledger.ts';
import type { Db } from '../store/db.ts';
import { claimedTargetUids, getDeltaItems, getFolderItems, getItemsByUid, rekeyItems, updateTargetFlags, writeItems } from '../store/ledger.repository.ts';
import { saveFolderState } from '../store/folder-state.repository.ts';
import { ledgerWrite, toCandidate, type Candidate } from './candidate.ts';
import { carryFlags } from './carry-flags.ts';
import { copyMessages } from './copy-messages.ts';
import { evaluateFilters, type Filter } from './filters.ts';
import { findOnTarget } from './find-on-target.ts';
import type { FolderReport } from './pass-types.ts';
import { planRekey } from './uidvalidity-change.ts';
import type { LaneSessions, SharedCopies } from './shared-copies.ts';

export interface SyncFolderInput {
  readonly db: Db;
  readonly pairId: string;
  readonly passId: string | null;
  readonly source: ImapSession;
  /** Null in a dry run, where the target is never touched. */
  readonly target: ImapSession | null;
  readonly sourceFolder: string;
  readonly targetFolder: string;
  readonly reason: string;
  readonly status: FolderStatusData;
  readonly state: FolderState | undefined;
  readonly filter: Filter;
  readonly settingsHash: string;
  readonly reevaluateExcluded: boolean;
  readonly syncFlags: boolean;
  readonly dryRun: boolean;
  /** Waits until the target folder exists: null, or the error it could not be created with (then every candidate fails with it). */
  readonly targetReady: () => Promise<AppError | null>;
  /** The target folder existed before this pass (so it may already hold these messages). */
  readonly targetPreexisting: boolean;
  readonly appendLimit: number | null;
  readonly batchMessages: number;
  readonly batchBytes: number;
  /** The pass's shared byte budget. */
  readonly budget: ByteBudget;
  /** Idle lanes that may help copy this folder's shares, and the share size (0: no sharing). */
  readonly share: SharedCopies | null;
  readonly splitMessages: number;
  readonly signal: AbortSignal | undefined;
  readonly onPlanned: (toCopy: number, bytes: number) => void;
  readonly onCopied: (count: number, bytes: number) => void;
  /** The folder's report; it accumulates over attempts (a retry after a dropped connection). */
  readonly report: FolderReport;
  /** UIDs this pass already recorded as migrated or excluded in an earlier attempt. */
  readonly doneThisPass: Set<number>;
}

const RETRYABLE: ReadonlySet<string> = new Set(['failed', 'in_doubt']);

/** Syncs one folder into `input.report`; throws transient errors (the caller retries the folder on a new connection). */
export async function syncFolder(input: SyncFolderInput): Promise<FolderReport> {
  const report = input.report;
  const write = async (rows: readonly LedgerWrite[]): Promise<void> => {
    if (input.dryRun || rows.length === 0) return;
    await writeItems(input.db, input.pairId, input.passId, rows);
    for (const row of rows) if (row.state === 'migrated' || row.state === 'excluded') input.doneThisPass.add(row.uid);
  };

  // 1. Source listing; UIDVALIDITY change.
  const since = deltaStart(input);
  let listing = await input.source.listUids(input.sourceFolder, since ?? undefined);
  let ledger: LedgerItem[];
  if (since !== null && listing.uidValidity === input.state?.uidValidity) {
    ledger = await getDeltaItems(input.db, input.pairId, input.sourceFolder, listing.uidValidity, since);
    // Failed and in-doubt items below `since` are tried again; one deleted at the source since then
    // returns no metadata and is recorded as vanished (step 3).
    const below = ledger.filter((item) => item.uid < since).map((item) => item.uid);
    listing = { uidValidity: listing.uidValidity, uids: [...below, ...listing.uids] };
    // Everything else the folder holds was finished by earlier passes.
    report.skipped += Math.max(0, input.status.messages - listing.uids.length);
  } else {
    if (since !== null) listing = await input.source.listUids(input.sourceFolder); // UIDVALIDITY changed since STATUS
    ledger = await getFolderItems(input.db, input.pairId, input.sourceFolder);
  }
  const incremental = since !== null && listing.uidValidity === input.state?.uidValidity;
  const uidValidity = listing.uidValidity;
  const metaCache = new Map<number, Candidate>();
  const oldItems = incremental ? [] : ledger.filter((item) => item.uidValidity !== uidValidity);
  if (oldItems.length > 0) {
    const knownNow = new Set(ledger.filter((item) => item.uidValidity === uidValidity).map((item) => item.uid));
    const unknown = listing.uids.filter((uid) => !knownNow.has(uid));
    for await (const meta of input.source.fetchMeta(input.sourceFolder, unknown)) metaCache.set(meta.uid, toCandidate(meta, undefined));
    const moves = planRekey(oldItems, [...metaCache.values()], uidValidity);
    if (!input.dryRun && moves.length > 0) await rekeyItems(input.db, input.pairId, input.sourceFolder, moves);
    ledger = input.dryRun ? ledger : await getFolderItems(input.db, input.pairId, input.sourceFolder);
  }

  // 2. Candidates: what the ledger has not finished.
  const current = new Map<number, LedgerItem>();
  for (const item of ledger) if (item.uidValidity === uidValidity) current.set(item.uid, item);
  const candidateUids: number[] = [];
  // Failed / in-doubt items the listing lacks were deleted at the source: asked for below like the
  // rest, they return no metadata and are recorded as vanished instead of staying pending for ever.
  const listed = new Set(listing.uids);
  for (const item of current.values()) if (RETRYABLE.has(item.state) && !listed.has(item.uid)) candidateUids.push(item.uid);
  for (const uid of listing.uids) {
    const item = current.get(uid);
    if (!item || RETRYABLE.has(item.state) || (item.state === 'excluded' && input.reevaluateExcluded && item.reasonCode !== 'ITEM_VANISHED')) {
      candidateUids.push(uid);
    } else if (!input.doneThisPass.has(uid)) {
      report.skipped++;
    }
  }

  // 3. Metadata, filters, size limit.
  const toFetch = candidateUids.filter((uid) => !metaCache.has(uid));
  const candidates: Candidate[] = candidateUids.filter((uid) => metaCache.has(uid)).map((uid) => {
    const cached = metaCache.get(uid) as Candidate;
    return { ...cached, previous: current.get(uid) };
  });
  if (toFetch.length > 0) {
    for await (const meta of input.source.fetchMeta(input.sourceFolder, toFetch)) candidates.push(toCandidate(meta, current.get(meta.uid)));
  }
  candidates.sort((a, b) => a.uid - b.uid);
  const fetched = new Set(candidates.map((c) => c.uid));
  const vanished = toFetch.map((uid) => current.get(uid)).filter((item): item is LedgerItem => item !== undefined && RETRYABLE.has(item.state) && !fetched.has(item.uid));
  // Only now does this folder need its target folder (created in the background, target-folders.ts).
  const targetUnavailable = await input.targetReady();
  // Expunged at the source since it failed (RFC 3501 §7.4.1): nothing left to copy.
  const decided: LedgerWrite[] = vanished.map((item) => ({ ...item, state: 'excluded', reasonCode: 'ITEM_VANISHED', reasonText: 'vanished-at-source' }));
  let wanted: Candidate[] = [];
  for (const c of candidates) {
    const verdict = evaluateFilters(input.filter, { internalDate: c.meta.internalDate, size: c.meta.size });
    if (!verdict.included) {
      report.excluded++;
      decided.push(ledgerWrite(c, input.sourceFolder, uidValidity, 'excluded', { reasonCode: 'FILTER', reasonText: verdict.rule }));
    } else if (input.appendLimit !== null && c.meta.size > input.appendLimit) {
      // DESIGN.md: over APPENDLIMIT is recorded `failed: too_large` without reading the message.
      report.failed++;
      decided.push(ledgerWrite(c, input.sourceFolder, uidValidity, 'failed', {
        targetFolder: input.targetFolder, reasonCode: 'ITEM_TOO_LARGE',
        reasonText: `${c.meta.size} bytes is over the target's APPENDLIMIT of ${input.appendLimit}`,
      }));
    } else if (targetUnavailable) {
      report.failed++;
      decided.push(ledgerWrite(c, input.sourceFolder, uidValidity, 'failed', {
        targetFolder: input.targetFolder, reasonCode: targetUnavailable.code, reasonText: targetUnavailable.message,
      }));
    } else {
      wanted.push(c);
    }
  }
  await write(decided);
  input.onPlanned(wanted.length, wanted.reduce((sum, c) => sum + c.meta.size, 0));
  if (input.dryRun || !input.target) {
    report.copied += wanted.length;
    report.bytes += wanted.reduce((sum, c) => sum + c.meta.size, 0);
    return report;
  }
  const target = input.target;

  // 4. Look on the target first for items that may be there: in doubt, or the folder has no ledger
  //    rows yet but the target folder already existed (ledger reset, or mail copied by other means).
  //    (An incremental read loaded only part of the folder's ledger; the folder has rows, see deltaStart.)
  const folderHasNoLedger = !incremental && ledger.length === 0;
  const mayBeThere = folderHasNoLedger && input.targetPreexisting ? wanted : wanted.filter((c) => c.previous?.state === 'in_doubt');
  if (mayBeThere.length > 0) {
    const lookup = await findOnTarget(target, input.targetFolder, mayBeThere, (tv) => claimedTargetUids(input.db, input.pairId, input.targetFolder, tv));
    await write(lookup.found.map(({ candidate, targetUid }) => ledgerWrite(candidate, input.sourceFolder, uidValidity, 'migrated', {
      targetFolder: input.targetFolder, targetUidValidity: lookup.targetUidValidity, targetUid,
    })));
    report.alreadyThere += lookup.found.length;
    const foundUids = new Set(lookup.found.map((f) => f.candidate.uid));
    wanted = wanted.filter((c) => !foundUids.has(c.uid));
    if (lookup.found.length > 0) input.onCopied(lookup.found.length, 0);
  }

  // 5. Copy: in one go, or a large folder in shares that idle lanes help with (shared-copies.ts).
  let stoppedBy: AppError | null = null;
  const copy = async (items: readonly Candidate[], sessions: LaneSessions): Promise<void> => {
    const copied = await copyMessages({
      source: sessions.source, target: sessions.target, sourceFolder: input.sourceFolder, targetFolder: input.targetFolder, uidValidity,
      batchMessages: input.batchMessages, batchBytes: input.batchBytes, budget: input.budget, appendLimit: input.appendLimit,
      writeLedger: write, signal: input.signal,
      onCopied: (count, bytes) => {
        // Counted as it happens, so a batch copied before a dropped connection stays counted.
        report.copied += count;
        report.bytes += bytes;
        input.onCopied(count, bytes);
      },
    }, items);
    report.failed += copied.failed;
    stoppedBy ??= copied.stoppedBy;
  };
  const own: LaneSessions = { source: input.source, target };
  const shares = input.share && input.splitMessages > 0 ? chunks(wanted, input.splitMessages) : [wanted];
  if (input.share && shares.length > 1) {
    await input.share.run(shares.length, own, (index, sessions) => copy(shares[index] ?? [], sessions), () => stoppedBy !== null);
  } else {
    await copy(wanted, own);
  }
  if (stoppedBy) {
    report.error = stoppedBy;
    return report;
  }

  // 6. Flags of items migrated earlier.
  if (input.syncFlags && input.state && !targetUnavailable) {
    const sameValidity = input.state.uidValidity === uidValidity;
    const updates = await carryFlags({
      source: input.source, target, sourceFolder: input.sourceFolder, uidValidity,
      changedSince: sameValidity ? input.state.highestModseq : null,
      // An incremental read did not load the folder's migrated items: ask the ledger for the changed ones.
      lookup: incremental
        ? (uids) => getItemsByUid(input.db, input.pairId, input.sourceFolder, uidValidity, uids)
        : (uids) => Promise.resolve(uids.map((uid) => current.get(uid)).filter((item) => item !== undefined)),
    });
    if (updates.length > 0) await updateTargetFlags(input.db, input.pairId, updates);
    report.flagsUpdated += updates.length;
  }

  // 7. Remember what this pass saw, from the STATUS taken before listing: a message that arrived
  //    since has a UID at or above that UIDNEXT, so the next pass opens the folder again.
  await saveFolderState(input.db, {
    pairId: input.pairId, sourceFolder: input.sourceFolder, targetFolder: input.targetFolder,
    uidValidity, uidNext: input.status.uidNext, highestModseq: input.status.highestModseq,
    messages: input.status.messages, filterHash: input.settingsHash, lastSyncedAt: new Date(),
  });
  return report;
}

/**
 * The UID from which a delta may read this folder, or null when it must read all of it: a full or
 * verify pass (forced), no earlier state, another UIDVALIDITY, other settings, excluded items to look
 * at again, or a folder that was empty (its target folder may hold mail from elsewhere, which only the
 * whole-folder path looks for). Sound because a pass saves the folder's state only after every UID
 * below the UIDNEXT it saw has a ledger row, and new messages get UIDs ≥ UIDNEXT (RFC 3501 §2.3.1.1).
 */
function deltaStart(input: SyncFolderInput): number | null {
  const state = input.state;
  if (!state || input.reason === 'forced' || input.reevaluateExcluded || input.dryRun) return null;
  if (state.uidValidity !== input.status.uidValidity || state.filterHash !== input.settingsHash || state.messages === 0) return null;
  return state.uidNext;
}

/** Error for a folder whose status could not be read (it vanished between LIST and STATUS). */
export function folderGone(path: string): AppError {
  return new AppError('FOLDER_NOT_FOUND', `Folder "${path}" disappeared from the source during the pass.`, { details: { folder: path } });
}
