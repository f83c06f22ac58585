/**
 * Runs work inside one selected folder. ImapFlow's mailbox lock serialises users of the connection
 * and re-selects only when the folder or the access mode changes. Reading uses EXAMINE (RFC 3501
 * §6.3.2): the folder is read-only, so nothing the connector does can set `\Seen` or expunge.
 */
import type { ImapFlow, MailboxObject } from 'imapflow';
import { AppError } from '../../core/app-error.ts';
import { mapImapError } from './map-imap-error.ts';

export type FolderAccess = 'read-only' | 'read-write';

/** Connections that have listed every folder once (ImapFlow keeps what LIST returned per connection). */
const listedOnce = new WeakSet<ImapFlow>();

/**
 * ImapFlow runs `LIST "" path` before SELECTing a folder its connection has not listed: one round trip
 * per folder. The first time a connection needs a folder it does not know, one `LIST "" "*"` fills
 * ImapFlow's cache for every folder instead (a lane that opens 250 folders pays 1 LIST, not 250). A
 * folder created after that LIST (by another connection) still gets ImapFlow's own LIST.
 */
async function knowFolders(client: ImapFlow, path: string): Promise<void> {
  // `folders` is ImapFlow's per-connection LIST cache (imap-flow.js), not in its type declarations.
  const known = (client as unknown as { folders?: Map<string, unknown> }).folders;
  if (listedOnce.has(client) || known?.has(path) === true) return;
  listedOnce.add(client);
  try {
    await client.list();
  } catch (err) {
    throw mapImapError(err, { operation: 'list', path });
  }
}

/** Selects `path` and holds the connection's mailbox lock until `release()`. */
export async function lockFolder(client: ImapFlow, path: string, access: FolderAccess): Promise<{ mailbox: MailboxObject; release: () => void }> {
  await knowFolders(client, path);
  let lock;
  try {
    lock = await client.getMailboxLock(path, { readOnly: access === 'read-only', description: `cutover ${access}` });
  } catch (err) {
    throw mapImapError(err, { operation: 'select', path });
  }
  const mailbox = client.mailbox;
  if (!mailbox) {
    lock.release();
    throw new AppError('IMAP_CONNECTION_LOST', `Folder ${path} is not selected after SELECT`, { details: { operation: 'select', path } });
  }
  return { mailbox, release: () => lock.release() };
}

/** Selects `path` and runs `work` with the folder's SELECT data; the lock is released afterwards. */
export async function withFolder<T>(client: ImapFlow, path: string, access: FolderAccess, work: (mailbox: MailboxObject) => Promise<T>): Promise<T> {
  const { mailbox, release } = await lockFolder(client, path, access);
  try {
    return await work(mailbox);
  } finally {
    release();
  }
}

/** Like withFolder for an async iteration: the lock is held until the consumer finishes or stops early. */
export async function* iterateInFolder<T>(client: ImapFlow, path: string, access: FolderAccess, work: (mailbox: MailboxObject) => AsyncIterable<T>): AsyncGenerator<T> {
  const { mailbox, release } = await lockFolder(client, path, access);
  try {
    yield* work(mailbox);
  } finally {
    release();
  }
}
