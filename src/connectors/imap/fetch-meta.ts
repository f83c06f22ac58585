/**
 * Message metadata without bodies: `UID FETCH set (UID FLAGS INTERNALDATE RFC822.SIZE MODSEQ
 * BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)])` (RFC 3501 §6.4.5; MODSEQ from CONDSTORE,
 * RFC 7162 §3.1.4, added by ImapFlow whenever CONDSTORE is enabled). BODY.PEEK never sets `\Seen`.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { mapImapError } from './map-imap-error.ts';
import { chunks } from '../../core/chunks.ts';
import { toSequenceSet } from './imap-wire.ts';
import { fetchMetaRaw } from './raw-fetch-meta.ts';
import { iterateInFolder } from './select-folder.ts';
import type { MessageMetaData } from './types.ts';

/** UIDs per FETCH command: keeps command lines short for scattered UIDs. */
const UIDS_PER_FETCH = 2000;

/** The header fields the fingerprint uses (DESIGN.md "Source identity"). */
export const FINGERPRINT_HEADERS = ['MESSAGE-ID', 'DATE', 'FROM', 'SUBJECT'];

/** INTERNALDATE as a Date; ImapFlow leaves a string when it could not parse the server's value. */
export function toDate(value: Date | string | undefined): Date {
  if (value instanceof Date) return value;
  return new Date(value ?? 0);
}

function toMeta(message: FetchMessageObject): MessageMetaData {
  return {
    uid: message.uid,
    flags: message.flags ? [...message.flags] : [],
    internalDate: toDate(message.internalDate),
    size: message.size ?? 0,
    headers: message.headers ?? Buffer.alloc(0),
    modseq: message.modseq ?? null,
  };
}

/**
 * Metadata of the given UIDs of `path` (EXAMINEd). UIDs that no longer exist are simply absent.
 * Read by raw-fetch-meta.ts; the rare response it does not recognise is fetched again through
 * ImapFlow's general parser, so an unusual server costs speed, never an item.
 */
export function fetchMeta(client: ImapFlow, path: string, uids: readonly number[]): AsyncIterable<MessageMetaData> {
  return iterateInFolder(client, path, 'read-only', async function* () {
    // ImapFlow ENABLEs CONDSTORE when offered; then the server may add MODSEQ anyway (RFC 7162 §3.1.4.1).
    const withModseq = client.enabled.has('CONDSTORE');
    for (const part of chunks(uids, UIDS_PER_FETCH)) {
      const set = toSequenceSet(part);
      if (set === '') continue;
      try {
        const { metas, unparsed } = await fetchMetaRaw(client, set, FINGERPRINT_HEADERS, withModseq);
        yield* metas;
        if (unparsed.length === 0) continue;
        for await (const message of client.fetch(toSequenceSet(unparsed), { uid: true, flags: true, internalDate: true, size: true, headers: FINGERPRINT_HEADERS }, { uid: true })) {
          yield toMeta(message);
        }
      } catch (err) {
        throw mapImapError(err, { operation: 'fetch', path });
      }
    }
  });
}
