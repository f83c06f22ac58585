/**
 * Full messages for copying: `UID FETCH set (UID BODY.PEEK[])` (RFC 3501 §6.4.5). PEEK never sets
 * `\Seen`, and the folder is EXAMINEd anyway. Messages come in batches bounded by count and bytes, so
 * memory stays bounded whatever the UIDs asked for: a first `UID FETCH set (RFC822.SIZE)` gives the
 * sizes the batches are cut by. Items too large to hold in memory are streamed by downloadMessage.
 */
import type { Readable } from 'node:stream';
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../core/app-error.ts';
import { mapImapError } from './map-imap-error.ts';
import { chunks, toSequenceSet } from './imap-wire.ts';
import { iterateInFolder, lockFolder } from './select-folder.ts';
import type { FetchedMessage } from './types.ts';

export interface FetchBatchLimits {
  /** Most messages per FETCH. */
  readonly maxCount: number;
  /** Most octets per FETCH (a single larger message goes alone). */
  readonly maxBytes: number;
}

export const DEFAULT_FETCH_LIMITS: FetchBatchLimits = { maxCount: 100, maxBytes: 16 * 1024 * 1024 };

const UIDS_PER_SIZE_FETCH = 2000;

/** Cuts `sized` (in UID order) into batches within the limits. */
export function batchBySize(sized: readonly { uid: number; size: number }[], limits: FetchBatchLimits): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const { uid, size } of sized) {
    if (current.length > 0 && (current.length >= limits.maxCount || bytes + size > limits.maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(uid);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Full messages of the given UIDs of `path`, in UID order; vanished UIDs are absent. */
export function fetchMessages(client: ImapFlow, path: string, uids: readonly number[], limits: FetchBatchLimits = DEFAULT_FETCH_LIMITS): AsyncIterable<FetchedMessage> {
  return iterateInFolder(client, path, 'read-only', async function* () {
    for (const part of chunks([...uids].sort((a, b) => a - b), UIDS_PER_SIZE_FETCH)) {
      const set = toSequenceSet(part);
      if (set === '') continue;
      const sized: { uid: number; size: number }[] = [];
      try {
        for await (const m of client.fetch(set, { uid: true, size: true }, { uid: true })) sized.push({ uid: m.uid, size: m.size ?? 0 });
      } catch (err) {
        throw mapImapError(err, { operation: 'fetch', path });
      }
      sized.sort((a, b) => a.uid - b.uid);
      for (const batch of batchBySize(sized, limits)) {
        try {
          for await (const m of client.fetch(toSequenceSet(batch), { uid: true, source: true }, { uid: true })) {
            if (!m.source) {
              throw new AppError('ITEM_FETCH_FAILED', `The server sent no body for UID ${m.uid} in ${path}`, { details: { operation: 'fetch', path, uid: m.uid } });
            }
            yield { uid: m.uid, source: m.source };
          }
        } catch (err) {
          throw mapImapError(err, { operation: 'fetch', path });
        }
      }
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
