/**
 * Flags of existing messages: replacing them (`UID STORE uid FLAGS.SILENT (…)`, RFC 3501 §6.4.6) and
 * reading them, optionally only those changed since a MODSEQ (`CHANGEDSINCE`, RFC 7162 §3.1.4).
 * STORE runs through `exec()`: ImapFlow's messageFlagsSet() returns `false` on a NO.
 */
import type { ImapFlow } from 'imapflow';
import { mapImapError } from './map-imap-error.ts';
import { appendableFlags } from './append.ts';
import { execCommand, type OutAttribute } from './imap-wire.ts';
import { iterateInFolder, withFolder } from './select-folder.ts';

/** Replaces the flags of one message (the folder is SELECTed read-write for this). `\Recent` is never sent. */
export async function setFlags(client: ImapFlow, path: string, uid: number, flags: readonly string[]): Promise<void> {
  const list: OutAttribute[] = appendableFlags(flags).map((flag) => ({ type: 'ATOM', value: flag }));
  await withFolder(client, path, 'read-write', async () => {
    try {
      await execCommand(client, 'UID STORE', [{ type: 'SEQUENCE', value: String(uid) }, { type: 'ATOM', value: 'FLAGS.SILENT' }, list]);
    } catch (err) {
      throw mapImapError(err, { operation: 'store', path });
    }
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
