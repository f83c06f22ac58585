/**
 * Copies candidates from a source folder to a target folder in batches, by the write-ahead rule
 * (DESIGN.md): a batch is recorded `in_doubt` before its APPEND, and `migrated` with the target UID
 * (UIDPLUS APPENDUID, RFC 4315 §3) after. A crash between the two leaves `in_doubt` rows that the
 * next pass looks up on the target before appending again, so nothing is lost and nothing doubled.
 *
 * Reading batch k+1 from the source overlaps with appending batch k to the target (two connections),
 * so neither side waits for the other's round trips.
 */
import type { AppendItem, ImapSession } from '../connectors/imap/types.ts';
import { AppError, toAppError } from '../core/app-error.ts';
import type { LedgerWrite } from '../core/ledger.ts';
import { appendableFlags, ledgerWrite, type Candidate } from './candidate.ts';
import { toCrlf } from './line-endings.ts';

export interface CopyContext {
  readonly source: ImapSession;
  readonly target: ImapSession;
  readonly sourceFolder: string;
  readonly targetFolder: string;
  readonly uidValidity: bigint;
  readonly batchMessages: number;
  readonly batchBytes: number;
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

async function readBatch(source: ImapSession, folder: string, batch: readonly Candidate[]): Promise<Map<number, Buffer>> {
  const bodies = new Map<number, Buffer>();
  const uids = batch.map((c) => c.uid);
  for await (const message of source.fetchMessages(folder, uids)) {
    bodies.set(message.uid, message.source);
  }
  return bodies;
}

/** Copies `items` (already known to be absent from the target). Throws on transient errors. */
export async function copyMessages(ctx: CopyContext, items: readonly Candidate[]): Promise<CopyResult> {
  const result: CopyResult = { copied: 0, failed: 0, bytes: 0, stoppedBy: null };
  const batches = batchCandidates(items, ctx.batchMessages, ctx.batchBytes);
  const write = (c: Candidate, state: LedgerWrite['state'], extra: Parameters<typeof ledgerWrite>[4] = {}): LedgerWrite =>
    ledgerWrite(c, ctx.sourceFolder, ctx.uidValidity, state, { targetFolder: ctx.targetFolder, ...extra });

  let pending: Promise<Map<number, Buffer>> | null = batches[0] ? readBatch(ctx.source, ctx.sourceFolder, batches[0]) : null;
  for (let index = 0; index < batches.length; index++) {
    const batch = batches[index] as Candidate[];
    const bodies = await (pending as Promise<Map<number, Buffer>>);
    const next = batches[index + 1];
    pending = next ? readBatch(ctx.source, ctx.sourceFolder, next) : null;
    // If this batch throws, the prefetch must not surface as an unhandled rejection.
    pending?.catch(() => undefined);

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
      const appended = await ctx.target.append(ctx.targetFolder, toAppend.map((a) => a.item));
      let batchBytes = 0;
      let batchCopied = 0;
      let transient = null as AppError | null;
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
        outcome.push(write(candidate, 'migrated', { targetUidValidity: appended.uidValidity, targetUid: r.uid, flags: item.flags }));
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
    if (result.stoppedBy) break;
  }
  return result;
}
