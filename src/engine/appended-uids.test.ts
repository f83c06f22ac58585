import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImapSession, MessageMetaData } from '../connectors/imap/types.ts';
import { findAppendedUids } from './appended-uids.ts';
import { toCandidate } from './candidate.ts';

const DATE = new Date('2024-03-01T10:00:00Z');
const meta = (uid: number, subject: string, options: { size?: number; messageId?: string; date?: Date } = {}): MessageMetaData => ({
  uid, flags: [], internalDate: options.date ?? DATE, size: options.size ?? 100 + subject.length, modseq: null,
  headers: Buffer.from(`Subject: ${subject}\r\n${options.messageId ? `Message-ID: ${options.messageId}\r\n` : ''}\r\n`),
});
const item = (subject: string, options: { messageId?: string } = {}) => toCandidate(meta(1, subject, options), undefined);

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
  const found = await findAppendedUids(session, 'INBOX', 10, [item('a'), item('twin'), item('twin'), item('b')]);
  assert.deepEqual(asked, [10]);
  assert.equal(found.uidValidity, 77n);
  assert.deepEqual([...found.byIndex].sort((x, y) => x[0] - y[0]), [[0, 10], [1, 12], [2, 13], [3, 14]]);
});

test('a copy the server rewrote is found by Message-ID and INTERNALDATE; without a Message-ID it is left out, never guessed', async () => {
  const { session } = folderWith([
    meta(5, 'no id, rewritten', { size: 999 }),
    meta(6, 'with id, rewritten', { size: 999, messageId: '<a@x>' }),
    meta(7, 'other date', { size: 999, messageId: '<b@x>', date: new Date('2020-01-01T00:00:00Z') }),
  ]);
  const found = await findAppendedUids(session, 'INBOX', 5, [item('no id, rewritten'), item('with id, rewritten', { messageId: '<a@x>' }), item('other date', { messageId: '<b@x>' })]);
  assert.deepEqual([...found.byIndex], [[1, 6]]);
});
