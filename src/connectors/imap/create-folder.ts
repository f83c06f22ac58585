/**
 * CREATE (RFC 3501 §6.3.3) and SUBSCRIBE (§6.3.6) on the target. A folder that already exists is
 * success (`[ALREADYEXISTS]`, RFC 5530), so creating is idempotent across passes. Nested paths are
 * created in one CREATE — the server creates the missing parents (§6.3.3 "SHOULD"), leaving them as
 * `\Noselect` containers where it can, as on the source; a server that refuses gets the parents
 * created one by one, top down, and then the folder again.
 */
import type { ImapFlow } from 'imapflow';
import type { AppError } from '../../core/app-error.ts';
import { mapImapError } from './map-imap-error.ts';
import { execCommand, wirePath } from './imap-wire.ts';

/** Whether LIST shows `path`; a `\Noselect` container counts only when `containerIsEnough`. */
async function folderExists(client: ImapFlow, path: string, containerIsEnough: boolean): Promise<boolean> {
  try {
    const found = await client.list({ listOnly: true });
    return found.some((f) => f.path === path && !f.flags.has('\\NonExistent') && (containerIsEnough || !f.flags.has('\\Noselect')));
  } catch (err) {
    throw mapImapError(err, { operation: 'list', path });
  }
}

/** One CREATE; true when created or already there, the mapped error otherwise. */
async function createOnce(client: ImapFlow, path: string): Promise<true | AppError> {
  try {
    await execCommand(client, 'CREATE', [{ type: 'ATOM', value: wirePath(client, path) }]);
    return true;
  } catch (err) {
    const mapped = mapImapError(err, { operation: 'create', path });
    if (mapped.details['responseCode'] === 'ALREADYEXISTS') return true;
    if (mapped.code !== 'FOLDER_CREATE_FAILED') throw mapped;
    return mapped;
  }
}

/** Creates `path` (full UTF-8 path with the server's delimiter) and any missing parents. */
export async function createFolder(client: ImapFlow, path: string, delimiter: string | null): Promise<void> {
  const first = await createOnce(client, path);
  if (first === true) return;
  // Servers without [ALREADYEXISTS] answer a plain NO for an existing folder.
  if (await folderExists(client, path, false)) return;
  const levels = delimiter ? path.split(delimiter) : [path];
  if (levels.length > 1) {
    for (let i = 1; i < levels.length; i++) {
      const parent = levels.slice(0, i).join(delimiter ?? '');
      const made = await createOnce(client, parent);
      if (made !== true && !(await folderExists(client, parent, true))) throw made;
    }
    const again = await createOnce(client, path);
    if (again === true) return;
    throw again;
  }
  throw first;
}

/** SUBSCRIBE; subscribing twice is harmless (RFC 3501 §6.3.6). */
export async function subscribe(client: ImapFlow, path: string): Promise<void> {
  try {
    await execCommand(client, 'SUBSCRIBE', [{ type: 'ATOM', value: wirePath(client, path) }]);
  } catch (err) {
    throw mapImapError(err, { operation: 'subscribe', path });
  }
}
