/**
 * `ImapSession.append`: chooses MULTIAPPEND or single APPENDs, falls back when a MULTIAPPEND is
 * refused, and reports one result per item so that one bad message never fails its neighbours.
 * Single APPENDs of several messages are pipelined (pipelined-append.ts): one round trip per request
 * with LITERAL+, one per message (not two) without.
 */
import type { ImapFlow } from 'imapflow';
import type pino from 'pino';
import { AppError, toAppError } from '../../core/app-error.ts';
import { appendOne } from './append.ts';
import { wirePath } from './imap-wire.ts';
import { multiAppend } from './multi-append.ts';
import { pipelinedAppend } from './pipelined-append.ts';
import { literalModeOf, quoteMailbox } from './raw-append.ts';
import type { AppendItem, AppendItemResult, AppendResultData, ServerInfo } from './types.ts';

/**
 * Bounds of one MULTIAPPEND. The engine's batches (200 messages, 8 MiB by default) fit in one, so a
 * batch costs one round trip; a refused MULTIAPPEND is re-sent one by one, which bounds the blast radius.
 */
export const MULTIAPPEND_MAX_ITEMS = 1000;
export const MULTIAPPEND_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Bounds of one request of pipelined APPENDs: the engine's batch in one round trip (with LITERAL+),
 * while a connection lost mid-request leaves at most this many items in doubt.
 */
export const PIPELINE_MAX_ITEMS = 200;
export const PIPELINE_MAX_BYTES = 8 * 1024 * 1024;

/** Errors after which the next message of the batch would fail the same way: stop trying. */
function stopsBatch(err: AppError): boolean {
  return err.retry !== 'item';
}

/** Consecutive groups of at most `maxItems` items and `maxBytes` octets (a larger item alone). */
function boundedGroups(indexes: readonly number[], items: readonly AppendItem[], maxItems: number, maxBytes: number): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const i of indexes) {
    const size = items[i]?.content.length ?? 0;
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function appendBatch(
  client: ImapFlow,
  info: ServerInfo,
  path: string,
  items: readonly AppendItem[],
  logger?: pino.Logger,
): Promise<AppendResultData> {
  const results: (AppendItemResult | undefined)[] = items.map(() => undefined);
  let uidValidity: bigint | null = null;
  const sendable: number[] = [];
  items.forEach((item, i) => {
    // RFC 7889 §3: a message over APPENDLIMIT would be refused after its bytes were sent; refuse it here.
    if (info.appendLimit !== null && item.content.length > info.appendLimit) {
      results[i] = {
        error: new AppError('ITEM_TOO_LARGE', `Message of ${item.content.length} bytes is over the target's APPENDLIMIT of ${info.appendLimit}`, {
          details: { operation: 'append', path, size: item.content.length, appendLimit: info.appendLimit },
        }),
      };
    } else {
      sendable.push(i);
    }
  });

  const quoted = quoteMailbox(wirePath(client, path));
  const mode = literalModeOf(info.capabilities);

  /** One APPEND per item, or several pipelined in one request; the results of `group` in order. */
  const appendGroup = async (group: readonly number[]): Promise<readonly AppendItemResult[]> => {
    if (group.length > 1 && quoted !== null) {
      const piped = await pipelinedAppend(client, mode, quoted, path, group.map((i) => items[i] as AppendItem));
      uidValidity = piped.uidValidity ?? uidValidity;
      return piped.results;
    }
    const out: AppendItemResult[] = [];
    for (const i of group) {
      try {
        const one = await appendOne(client, info.capabilities, path, items[i] as AppendItem);
        uidValidity = one.uidValidity ?? uidValidity;
        out.push({ uid: one.uid });
      } catch (err) {
        out.push({ error: toAppError(err) });
      }
    }
    return out;
  };

  /**
   * Single APPENDs for `indexes`, pipelined in bounded requests (a mailbox name that cannot be quoted
   * goes one by one through ImapFlow's compiler). Within a request every item has its own answer;
   * after an error that is not about the item, the requests not yet sent are not tried: their items
   * get that error.
   */
  const appendSingly = async (indexes: readonly number[]): Promise<void> => {
    let stopError: AppError | null = null;
    const groups = quoted === null ? indexes.map((i) => [i]) : boundedGroups(indexes, items, PIPELINE_MAX_ITEMS, PIPELINE_MAX_BYTES);
    for (const group of groups) {
      if (stopError) {
        for (const i of group) results[i] = { error: stopError };
        continue;
      }
      const groupResults = await appendGroup(group);
      const stored = results.some((r) => r !== undefined && 'uid' in r) || groupResults.some((r) => 'uid' in r);
      group.forEach((i, k) => {
        const result = groupResults[k] ?? { error: new AppError('INTERNAL', 'append result missing', { details: { path } }) };
        if ('error' in result) {
          const appErr = result.error;
          // A missing folder or a dead connection before anything was stored: nothing is known per item.
          if (!stored && (appErr.code === 'FOLDER_NOT_FOUND' || appErr.retry === 'transient') && i === indexes[0]) throw appErr;
          if (stopsBatch(appErr)) stopError ??= appErr;
        }
        results[i] = result;
      });
    }
  };

  const useMulti = info.capabilities.has('MULTIAPPEND') && sendable.length > 1;
  if (!useMulti) {
    await appendSingly(sendable);
  } else {
    for (const batch of boundedGroups(sendable, items, MULTIAPPEND_MAX_ITEMS, MULTIAPPEND_MAX_BYTES)) {
      if (batch.length === 1) {
        await appendSingly(batch);
        continue;
      }
      try {
        const multi = await multiAppend(client, info.capabilities, path, batch.map((i) => items[i] as AppendItem));
        uidValidity = multi.uidValidity ?? uidValidity;
        batch.forEach((itemIndex, k) => {
          results[itemIndex] = { uid: multi.uids[k] ?? null };
        });
      } catch (err) {
        const appErr = toAppError(err);
        // Nothing of the batch was stored (RFC 3502 §6.3.11). Connection trouble or a missing folder
        // would fail every single APPEND too; anything else may be one bad message: try them one by one.
        if (appErr.code === 'FOLDER_NOT_FOUND' || appErr.retry === 'transient') {
          if (results.some((r) => r !== undefined && 'uid' in r)) {
            for (const i of sendable) results[i] ??= { error: appErr };
            break;
          }
          throw appErr;
        }
        logger?.debug({ path, items: batch.length, code: appErr.code, serverText: appErr.details['serverText'] }, 'MULTIAPPEND refused, appending one by one');
        await appendSingly(batch);
      }
    }
  }
  return {
    uidValidity,
    results: results.map((r) => r ?? { error: new AppError('INTERNAL', 'append result missing', { details: { path } }) }),
  };
}
