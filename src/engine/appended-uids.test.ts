import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImapSession, MessageMetaData } from '../connectors/imap/types.ts';
import { findAppendedUids } from './appended-uids.ts';
import { fingerprint } from './fingerprint.ts';

const meta = (uid: number, subject: string): MessageMetaData => ({
  uid, flags: [], internalDate: new Date(0), size: 100 + subject.length, headers: Buffer.from(`Subject: ${subject}\r\n\r\n`), modseq: null,
});
const fp = (subject: string): { fingerprint: string } => ({ fingerprint: fingerprint({ headers: Buffer.from(`Subject: ${subject}\r\n\r\n`), size: 100 + subject.length }) });

/** Only the two calls the look-up makes; a folder holding `messages`, asked from `fromUid`. */
function folderWith(messages: MessageMetaData[]): { session: ImapSession; asked: number[] } {
  const asked: number[] = [];
  const session = {
    listUids: (_path: string, fromUid?: number) => {
      asked.push(fromUid ?? 1);
      return Promise.resolve({ uidValidity: 77n, uids: messages.map((m) => m.uid).filter((uid) => uid >= (fromUid ?? 1)) });
    },
    fetchMeta: function* (_path: string, uids: readonly number[]) {
      // Servers answer in any order (RFC 3501 §7.4.2): the look-up must not rely on it.
      for (const m of [...messages].reverse()) if (uids.includes(m.uid)) yield m;
    },
  } as unknown as ImapSession;
  return { session, asked };
}

test('appended items are paired with their copies in order, past mail that arrived meanwhile', async () => {
  const { session, asked } = folderWith([meta(3, 'old'), meta(10, 'a'), meta(11, 'new mail'), meta(12, 'twin'), meta(13, 'twin'), meta(14, 'b')]);
  const found = await findAppendedUids(session, 'INBOX', 10, [fp('a'), fp('twin'), fp('twin'), fp('b')]);
  assert.deepEqual(asked, [10]);
  assert.equal(found.uidValidity, 77n);
  assert.deepEqual([...found.byIndex].sort((x, y) => x[0] - y[0]), [[0, 10], [1, 12], [2, 13], [3, 14]]);
});

test('a copy the server changed (another fingerprint) is left out, never guessed', async () => {
  const { session } = folderWith([meta(5, 'rewritten by the server'), meta(6, 'b')]);
  const found = await findAppendedUids(session, 'INBOX', 5, [fp('a'), fp('b')]);
  assert.deepEqual([...found.byIndex], [[1, 6]]);
});
