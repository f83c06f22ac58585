/**
 * Creates the target folders a pass needs and subscribes them (DESIGN.md "create missing target
 * folders and subscribe them"). A folder the target refuses is reported, not fatal: its messages are
 * recorded as failed with the reason, and the rest of the mailbox goes on.
 *
 * Creation runs in the background on one target connection while the lanes read the source, and
 * each lane waits only for its own folder (`ready`): over a 20 ms link, creating and subscribing 10
 * folders one after another used to hold every lane for 20 round trips before the first APPEND.
 * Subscribing waits until the end of the pass (`subscribeTargetFolders`), for every wanted folder the
 * target does not list as subscribed, so a pass that died before that point subscribes next time.
 */
import type { FolderData, ImapSession } from '../connectors/imap/types.ts';
import { AppError, toAppError } from '../core/app-error.ts';
import { backoffMs } from './classify-error.ts';

const CREATE_ATTEMPTS = 3;

export interface TargetFolders {
  /** Target folders that existed before this pass. */
  readonly preexisting: ReadonlySet<string>;
  /** `null` once `path` exists on the target, or the error it could not be created with; rejects on a transient error. */
  ready(path: string): Promise<AppError | null>;
  /** Every folder handled: the ones the target refused. Rejects on a transient error (connection lost …). */
  readonly done: Promise<ReadonlyMap<string, AppError>>;
}

/**
 * Starts creating each wanted folder the target lacks: parents before children (by depth), otherwise
 * in the order of `wanted` (the order the lanes will need them).
 */
export function startTargetFolders(target: () => Promise<ImapSession>, existing: readonly FolderData[], wanted: readonly string[], delimiter: string, dryRun: boolean): TargetFolders {
  const present = new Set(existing.filter((f) => f.selectable).map((f) => f.path));
  const preexisting = new Set(present);
  const order = [...new Set(wanted)];
  const depth = (path: string): number => path.split(delimiter).length;
  const missing = order
    .filter((path) => !present.has(path) && path.toUpperCase() !== 'INBOX')
    .sort((a, b) => depth(a) - depth(b) || order.indexOf(a) - order.indexOf(b));
  const waiting = new Map<string, { resolve: (e: AppError | null) => void; reject: (e: AppError) => void; promise: Promise<AppError | null> }>();
  for (const path of missing) {
    let resolve!: (e: AppError | null) => void;
    let reject!: (e: AppError) => void;
    const promise = new Promise<AppError | null>((res, rej) => { resolve = res; reject = rej; });
    promise.catch(() => undefined); // a lane may never ask; the pass sees the error through `done`
    waiting.set(path, { resolve, reject, promise });
  }

  const done = (async (): Promise<ReadonlyMap<string, AppError>> => {
    const errors = new Map<string, AppError>();
    for (const [index, path] of missing.entries()) {
      const entry = waiting.get(path);
      if (!entry) continue;
      if (dryRun) {
        entry.resolve(null);
        continue;
      }
      try {
        await createWithRetry(target, path);
        entry.resolve(null);
      } catch (thrown) {
        const err = toAppError(thrown);
        if (err.retry === 'transient') {
          for (const later of missing.slice(index)) waiting.get(later)?.reject(err);
          throw err;
        }
        const refused = err.code === 'FOLDER_CREATE_FAILED'
          ? err
          : new AppError('FOLDER_CREATE_FAILED', `The target refused to create folder "${path}": ${err.message}`, { cause: err, details: { folder: path } });
        errors.set(path, refused);
        entry.resolve(refused);
      }
    }
    return errors;
  })();
  done.catch(() => undefined);
  return {
    preexisting,
    ready: (path) => waiting.get(path)?.promise ?? Promise.resolve(null),
    done,
  };
}

/**
 * The connection is shared with a lane, which reconnects when its own command fails on a dropped
 * connection; so a transient failure is retried on whatever session the lane has by then.
 */
async function createWithRetry(target: () => Promise<ImapSession>, path: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await (await target()).createFolder(path);
      return;
    } catch (thrown) {
      const err = toAppError(thrown);
      if (err.retry !== 'transient' || attempt >= CREATE_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }
}

/** SUBSCRIBE (RFC 3501 §6.3.6) every wanted folder that exists and is not subscribed; returns warnings. */
export async function subscribeTargetFolders(target: ImapSession, existing: readonly FolderData[], wanted: readonly string[], refused: ReadonlyMap<string, AppError>): Promise<string[]> {
  const subscribed = new Set(existing.filter((f) => f.subscribed).map((f) => f.path));
  const warnings: string[] = [];
  for (const path of new Set(wanted)) {
    if (subscribed.has(path) || refused.has(path)) continue;
    try {
      await target.subscribe(path);
    } catch (thrown) {
      const err = toAppError(thrown);
      if (err.retry === 'transient') throw err;
      warnings.push(`Target folder "${path}" could not be subscribed: ${err.message}`);
    }
  }
  return warnings;
}
