/**
 * Creates the target folders a pass needs and subscribes them (DESIGN.md "create missing target
 * folders and subscribe them"). A folder the target refuses is reported, not fatal: its messages are
 * recorded as failed with the reason, and the rest of the mailbox goes on.
 */
import type { FolderData, ImapSession } from '../connectors/imap/types.ts';
import { AppError, toAppError } from '../core/app-error.ts';

export interface TargetFolders {
  /** Target folders that existed before this pass. */
  readonly preexisting: ReadonlySet<string>;
  /** Folders the target refused to create, with the error. */
  readonly errors: ReadonlyMap<string, AppError>;
}

/** Creates each wanted folder the target lacks (parents first). */
export async function createTargetFolders(
  target: ImapSession,
  existing: readonly FolderData[],
  wanted: readonly string[],
  dryRun: boolean,
): Promise<TargetFolders> {
  const present = new Set(existing.filter((f) => f.selectable).map((f) => f.path));
  const preexisting = new Set(present);
  const errors = new Map<string, AppError>();
  const missing = [...new Set(wanted)].filter((path) => !present.has(path) && path.toUpperCase() !== 'INBOX').sort();
  for (const path of missing) {
    if (dryRun) continue;
    try {
      await target.createFolder(path);
      await target.subscribe(path);
      present.add(path);
    } catch (thrown) {
      const err = toAppError(thrown);
      if (err.retry === 'transient') throw err;
      errors.set(path, err.code === 'FOLDER_CREATE_FAILED'
        ? err
        : new AppError('FOLDER_CREATE_FAILED', `The target refused to create folder "${path}": ${err.message}`, { cause: err, details: { folder: path } }));
    }
  }
  return { preexisting, errors };
}
