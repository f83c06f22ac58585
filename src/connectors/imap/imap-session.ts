/**
 * `openImapSession`: one logged-in connection behind the engine's `ImapSession` contract, composed
 * from one module per IMAP operation. The session owns its ImapFlow client; folder work is
 * serialised by ImapFlow's mailbox lock, so an engine that starts a second operation while an
 * iteration is running waits instead of re-selecting under it.
 */
import type pino from 'pino';
import type { ImapEndpoint } from '../../core/endpoint.ts';
import { appendBatch } from './append-batch.ts';
import { connectImap, readServerInfo } from './connect.ts';
import { createFolder, subscribe } from './create-folder.ts';
import { fetchMeta } from './fetch-meta.ts';
import { downloadMessage, fetchMessages } from './fetch-messages.ts';
import { folderStatus, folderStatusAll } from './folder-status.ts';
import { listFolders } from './list-folders.ts';
import { listUids, searchByMessageId, searchBySize } from './search.ts';
import { fetchFlags, setFlags } from './store-flags.ts';
import type { ImapSession } from './types.ts';

export interface OpenImapSessionOptions {
  /** ImapFlow's own log goes to a child of this logger; without it ImapFlow logs nothing. */
  readonly logger?: pino.Logger;
  /** Names the connection in logs (e.g. `source#1`). */
  readonly connectionName?: string;
}

/** Connects and logs in to `endpoint`; throws AppError (IMAP_CONNECT_FAILED, IMAP_TLS_FAILED, IMAP_AUTH_FAILED, …). */
export async function openImapSession(endpoint: ImapEndpoint, options: OpenImapSessionOptions = {}): Promise<ImapSession> {
  const client = await connectImap(endpoint, options);
  const info = readServerInfo(client);
  const caps = info.capabilities;
  const logger = options.logger?.child({ component: 'imap', ...(options.connectionName ? { connection: options.connectionName } : {}) });
  // Delimiter for splitting nested paths when creating; the personal namespace's (RFC 2342), else '/'.
  const delimiter = (): string | null => client.namespace?.delimiter ?? '/';
  let closed = false;

  return {
    info,
    listFolders: () => listFolders(client),
    statusAll: (folders, statusOptions) => folderStatusAll(client, caps, folders, statusOptions),
    status: (path, statusOptions) => folderStatus(client, caps, path, statusOptions),
    createFolder: (path) => createFolder(client, path, delimiter()),
    subscribe: (path) => subscribe(client, path),
    listUids: (path, fromUid) => listUids(client, caps, path, fromUid),
    fetchMeta: (path, uids) => fetchMeta(client, path, uids),
    fetchMessages: (path, uids) => fetchMessages(client, path, uids),
    downloadMessage: (path, uid) => downloadMessage(client, path, uid),
    append: (path, items) => appendBatch(client, info, path, items, logger),
    searchByMessageId: (path, messageId) => searchByMessageId(client, caps, path, messageId),
    searchBySize: (path, size) => searchBySize(client, caps, path, size),
    setFlags: (path, uids, flags, uidValidity) => setFlags(client, path, uids, flags, uidValidity),
    fetchFlags: (path, changedSince) => fetchFlags(client, path, changedSince),
    async close() {
      if (closed) return;
      closed = true;
      try {
        // LOGOUT (RFC 3501 §6.1.3) lets the server finish cleanly; ImapFlow closes the socket after it.
        if (client.usable) await client.logout();
      } catch (err) {
        // The connection was already gone: nothing left to release. Logged, never thrown, so a
        // pass can always close its sessions in `finally` without hiding the error that ended it.
        logger?.debug({ err: err instanceof Error ? err.message : String(err) }, 'IMAP logout on a dead connection');
      } finally {
        client.close();
      }
    },
  };
}
