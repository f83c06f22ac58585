/**
 * Full messages for copying: `UID FETCH set (UID BODY.PEEK[])` (RFC 3501 §6.4.5), read by raw-fetch.ts.
 * PEEK never sets `\Seen`, and the folder is EXAMINEd anyway. The caller bounds what it asks for at
 * once (the engine cuts batches by the sizes it already knows from the metadata), so memory stays
 * bounded; a message too large to hold is streamed by downloadMessage instead.
 */
import type { Readable } from 'node:stream';
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../core/app-error.ts';
import { mapImapError } from './map-imap-error.ts';
import { chunks } from '../../core/chunks.ts';
import { toSequenceSet } from './imap-wire.ts';
import { fetchBodies } from './raw-fetch.ts';
import { iterateInFolder, lockFolder } from './select-folder.ts';
import type { FetchedMessage } from './types.ts';

/** Most UIDs per FETCH command, for callers that pass more than one batch. */
const UIDS_PER_FETCH = 500;

/** Full messages of the given UIDs of `path`, in UID order; vanished UIDs are absent. */
export function fetchMessages(client: ImapFlow, path: string, uids: readonly number[]): AsyncIterable<FetchedMessage> {
  return iterateInFolder(client, path, 'read-only', async function* () {
    for (const part of chunks([...uids].sort((a, b) => a - b), UIDS_PER_FETCH)) {
      if (toSequenceSet(part) === '') continue;
      let messages: FetchedMessage[];
      try {
        messages = await fetchBodies(client, path, part);
      } catch (err) {
        throw err instanceof AppError ? err : mapImapError(err, { operation: 'fetch', path });
      }
      messages.sort((a, b) => a.uid - b.uid);
      yield* messages;
    }
  });
}

/**
 * One message as a stream (ImapFlow fetches it in 64 KiB BODY.PEEK[]<offset.length> chunks as it is
 * read). The folder stays locked until the stream ends, errors or is destroyed.
 */
export async function downloadMessage(client: ImapFlow, path: string, uid: number): Promise<Readable> {
  const { release } = await lockFolder(client, path, 'read-only');
  let download;
  try {
    download = await client.download(String(uid), undefined, { uid: true });
  } catch (err) {
    release();
    throw mapImapError(err, { operation: 'fetch', path });
  }
  const content = download.content;
  if (!content) {
    release();
    throw new AppError('ITEM_VANISHED', `UID ${uid} no longer exists in ${path}`, { details: { operation: 'fetch', path, uid } });
  }
  content.once('close', release);
  content.once('end', release);
  content.once('error', release);
  return content;
}
