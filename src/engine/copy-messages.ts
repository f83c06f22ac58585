/**
 * Copies candidates from a source folder to a target folder in batches, by the write-ahead rule
 * (DESIGN.md): a batch is recorded `in_doubt` before its APPEND, and `migrated` with the target UID
 * (UIDPLUS APPENDUID, RFC 4315 §3; looked up on a server without it, appended-uids.ts) after. A crash
 * between the two leaves `in_doubt` rows that the next pass looks up on the target before appending
 * again, so nothing is lost and nothing doubled.
 *
 * Reading batch k+1 from the source overlaps with appending batch k to the target (two connections),
 * so neither side waits for the other's round trips. Every batch first takes its size from the pass's
 * byte budget (byte-budget.ts) and gives it back once appended, which bounds the mail a pass holds.
 */
import type { AppendItem, AppendItemResult, ImapSession } from '../connectors/imap/types.ts';
import { AppError, toAppError } from '../core/app-error.ts';
import type { LedgerWrite } from '../core/ledger.ts';
import { findAppendedUids, returnsAppendUids, uidNextOf } from './appended-uids.ts';
import { appendableFlags, ledgerWrite, type Candidate } from './candidate.ts';
import type { ByteBudget } from './byte-budget.ts';
import { toCrlf } from './line-endings.ts';

export interface CopyContext {
  readonly source: ImapSession;
  readonly target: ImapSession;
  readonly sourceFolder: string;
  readonly targetFolder: string;
  readonly uidValidity: bigint;
  readonly batchMessages: number;
  readonly batchBytes: number;
  /** Shared by the pass's lanes: bytes of mail held at once. */
  readonly budget: ByteBudget;
  /** Largest message the target accepts (APPENDLIMIT), or null. */
  readonly appendLimit: number | null;
  readonly writeLedger: (items: readonly LedgerWrite[]) => Promise<void>;
  readonly onCopied: (count: number, bytes: number) => void;
  readonly signal: AbortSignal | undefined;
}

export interface CopyResult {
  copied: number;
  failed: number;
  bytes: number;
  /** A needs-user-action error (quota full …) that stopped the folder, if any. */
  stoppedBy: AppError | null;
}

/** Splits candidates into batches bounded by count and bytes (a single huge item is its own batch). */
export function batchCandidates(items: readonly Candidate[], maxCount: number, maxBytes: number): Candidate[][] {
  const batches: Candidate[][] = [];
  let current: Candidate[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= maxCount || bytes + item.meta.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.meta.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

interface ReadBatch {
  readonly bodies: Map<number, Buffer>;
  /** Gives the batch's bytes back to the budget. */
  readonly release: () => void;
}

async function readBatch(ctx: CopyContext, batch: readonly Candidate[]): Promise<ReadBatch> {
  const release = await ctx.budget.acquire(batch.reduce((sum, c) => sum + c.meta.size, 0));
  try {
    const bodies = new Map<number, Buffer>();
    for await (const message of ctx.source.fetchMessages(ctx.sourceFolder, batch.map((c) => c.uid))) {
      bodies.set(message.uid, message.source);
    }
    return { bodies, release };
  } catch (err) {
    release();
    throw err;
  }
}

/** Copies `items` (already known to be absent from the target). Throws on transient errors. */
export async function copyMessages(ctx: CopyContext, items: readonly Candidate[]): Promise<CopyResult> {
  const result: CopyResult = { copied: 0, failed: 0, bytes: 0, stoppedBy: null };
  const batches = batchCandidates(items, ctx.batchMessages, ctx.batchBytes);
  let pending: Promise<ReadBatch> | null = batches[0] ? readBatch(ctx, batches[0]) : null;
  try {
    for (let index = 0; index < batches.length; index++) {
      const read = await (pending as Promise<ReadBatch>);
      pending = null;
      try {
        const next = batches[index + 1];
        pending = next ? readBatch(ctx, next) : null;
        // If this batch throws, the prefetch must not surface as an unhandled rejection.
        pending?.catch(() => undefined);
        const stop = await copyBatch(ctx, batches[index] as Candidate[], read.bodies, result);
        if (stop) break;
      } finally {
        read.release();
      }
    }
  } finally {
    // A prefetch still running when the loop ends early gives its bytes back when it lands.
    pending?.then((read) => read.release(), () => undefined);
  }
  return result;
}

/** One batch: write-ahead, APPEND, outcome. Returns true when the folder must stop (needs the user). */
async function copyBatch(ctx: CopyContext, batch: readonly Candidate[], bodies: ReadonlyMap<number, Buffer>, result: CopyResult): Promise<boolean> {
  const write = (c: Candidate, state: LedgerWrite['state'], extra: Parameters<typeof ledgerWrite>[4] = {}): LedgerWrite =>
    ledgerWrite(c, ctx.sourceFolder, ctx.uidValidity, state, { targetFolder: ctx.targetFolder, ...extra });
  if (ctx.signal?.aborted) throw new AppError('PASS_INTERRUPTED', 'The pass was interrupted.');

  const outcome: LedgerWrite[] = [];
  const toAppend: Array<{ candidate: Candidate; item: AppendItem }> = [];
  for (const candidate of batch) {
    const raw = bodies.get(candidate.uid);
    if (raw === undefined) {
      // Expunged at the source between listing and reading: nothing to copy (RFC 3501 §7.4.1).
      outcome.push(write(candidate, 'excluded', { reasonCode: 'ITEM_VANISHED', reasonText: 'vanished-at-source' }));
      continue;
    }
    const content = toCrlf(raw);
    if (ctx.appendLimit !== null && content.length > ctx.appendLimit) {
      outcome.push(write(candidate, 'failed', {
        reasonCode: 'ITEM_TOO_LARGE',
        reasonText: `${content.length} bytes is over the target's APPENDLIMIT of ${ctx.appendLimit}`,
      }));
      result.failed++;
      continue;
    }
    toAppend.push({ candidate, item: { content, flags: appendableFlags(candidate.meta.flags), internalDate: candidate.meta.internalDate } });
  }

  if (toAppend.length > 0) {
    // Write-ahead: recorded in doubt before the target can have it.
    await ctx.writeLedger(toAppend.map(({ candidate }) => write(candidate, 'in_doubt')));
    // Without UIDPLUS the answer carries no UIDs: note where this batch's UIDs start (appended-uids.ts).
    const fromUid = returnsAppendUids(ctx.target) ? null : await uidNextOf(ctx.target, ctx.targetFolder);
    const appended = await ctx.target.append(ctx.targetFolder, toAppend.map((a) => a.item));
    let batchBytes = 0;
    let batchCopied = 0;
    let transient = null as AppError | null;
    let targetUidValidity = appended.uidValidity;
    const foundUids = new Map<number, number>();
    let lookupFailed = false;
    const stored = [...appended.results.keys()].filter((i) => !('error' in (appended.results[i] as AppendItemResult)));
    // (A server may send APPENDUID without announcing UIDPLUS: then there is nothing to look up.)
    if (fromUid !== null && stored.some((i) => (appended.results[i] as { uid: number | null }).uid === null)) {
      try {
        const found = await findAppendedUids(ctx.target, ctx.targetFolder, fromUid, stored.map((i) => (toAppend[i] as { candidate: Candidate }).candidate));
        for (const [k, uid] of found.byIndex) foundUids.set(stored[k] as number, uid);
        targetUidValidity = found.uidValidity;
      } catch (err) {
        // The look-up failed (connection lost): the stored items stay in doubt, and the folder's retry
        // finds them on the target by fingerprint before it appends anything again.
        transient = toAppError(err);
        lookupFailed = true;
      }
    }
    for (const [i, r] of appended.results.entries()) {
      const { candidate, item } = toAppend[i] as { candidate: Candidate; item: AppendItem };
      if ('error' in r) {
        const err = toAppError(r.error);
        if (err.retry === 'transient') {
          // Stays in_doubt: the target may or may not have it. The folder is retried on a new
          // connection, which looks for it on the target before sending it again.
          transient ??= err;
          continue;
        }
        outcome.push(write(candidate, 'failed', { reasonCode: err.code, reasonText: err.message }));
        result.failed++;
        if (err.retry === 'user') result.stoppedBy ??= err;
        continue;
      }
      if (lookupFailed) continue;
      outcome.push(write(candidate, 'migrated', { targetUidValidity, targetUid: r.uid ?? foundUids.get(i) ?? null, flags: item.flags }));
      batchCopied++;
      batchBytes += item.content.length;
    }
    result.copied += batchCopied;
    result.bytes += batchBytes;
    ctx.onCopied(batchCopied, batchBytes);
    if (transient) {
      if (outcome.length > 0) await ctx.writeLedger(outcome);
      throw transient;
    }
  }
  if (outcome.length > 0) await ctx.writeLedger(outcome);
  return result.stoppedBy !== null;
}
