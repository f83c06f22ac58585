/**
 * Flags of existing messages: replacing them (`UID STORE uid FLAGS.SILENT (…)`, RFC 3501 §6.4.6) and
 * reading them, optionally only those changed since a MODSEQ (`CHANGEDSINCE`, RFC 7162 §3.1.4).
 * STORE runs through `exec()`: ImapFlow's messageFlagsSet() returns `false` on a NO.
 */
import type { ImapFlow } from 'imapflow';
import { mapImapError } from './map-imap-error.ts';
import { appendableFlags } from './append.ts';
import { chunks } from '../../core/chunks.ts';
import { execCommand, toSequenceSet, type OutAttribute } from './imap-wire.ts';
import { iterateInFolder, withFolder } from './select-folder.ts';

/** UIDs per STORE: keeps a command line of scattered UIDs far below servers' line limits (8 KiB and up). */
const STORE_CHUNK = 500;

/**
 * Gives every message in `uids` exactly `flags` (the folder is SELECTed read-write for this): one
 * `UID STORE set FLAGS.SILENT (…)` per 500 UIDs, so a flag change shared by many messages costs one
 * round trip, not one per message. UIDs that no longer exist are ignored by the server (RFC 3501
 * §6.4.8: a UID set may name messages that are gone). `\Recent` is never sent. With `uidValidity`,
 * nothing is stored (false) when the folder's UIDVALIDITY is another one.
 */
export async function setFlags(client: ImapFlow, path: string, uids: readonly number[], flags: readonly string[], uidValidity?: bigint): Promise<boolean> {
  if (uids.length === 0) return true;
  const list: OutAttribute[] = appendableFlags(flags).map((flag) => ({ type: 'ATOM', value: flag }));
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  return withFolder(client, path, 'read-write', async (mailbox) => {
    // UIDs are only meaningful under the UIDVALIDITY they were given in (RFC 3501 §2.3.1.1); the
    // SELECT's answer carries it, so no STATUS round trip is needed to check.
    if (uidValidity !== undefined && mailbox.uidValidity !== uidValidity) return false;
    for (const part of chunks(sorted, STORE_CHUNK)) {
      try {
        await execCommand(client, 'UID STORE', [{ type: 'SEQUENCE', value: toSequenceSet(part) }, { type: 'ATOM', value: 'FLAGS.SILENT' }, list]);
      } catch (err) {
        throw mapImapError(err, { operation: 'store', path });
      }
    }
    return true;
  });
}

/** Flags of every message of `path`, or (with CONDSTORE) only of those whose MODSEQ is above `changedSince`. */
export function fetchFlags(client: ImapFlow, path: string, changedSince: bigint | null): AsyncIterable<{ uid: number; flags: readonly string[]; modseq: bigint | null }> {
  return iterateInFolder(client, path, 'read-only', async function* () {
    const options = changedSince !== null ? { uid: true, changedSince } : { uid: true };
    try {
      for await (const m of client.fetch('1:*', { uid: true, flags: true }, options)) {
        yield { uid: m.uid, flags: m.flags ? [...m.flags] : [], modseq: m.modseq ?? null };
      }
    } catch (err) {
      throw mapImapError(err, { operation: 'fetch', path });
    }
  });
}
