import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDateTime, parseMetaFetch } from './raw-fetch-meta.ts';

const line = (s: string): Buffer => Buffer.from(s, 'latin1');
const HF = 'BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)]';

test('INTERNALDATE: offsets, space-padded day, bad values (RFC 3501 §9 date-time)', () => {
  assert.equal(parseDateTime('03-Feb-2020 04:05:06 +0000')?.toISOString(), '2020-02-03T04:05:06.000Z');
  assert.equal(parseDateTime(' 3-Feb-2020 04:05:06 +0130')?.toISOString(), '2020-02-03T02:35:06.000Z');
  assert.equal(parseDateTime('31-Dec-1999 23:00:00 -0200')?.toISOString(), '2000-01-01T01:00:00.000Z');
  assert.equal(parseDateTime('03-Foo-2020 04:05:06 +0000'), null);
  assert.equal(parseDateTime('garbage'), null);
});

test('a Dovecot-shaped response: flags, date, size, modseq and the header literal', () => {
  const headers = Buffer.from('Subject: hi\r\n\r\n');
  const parsed = parseMetaFetch(line(`* 7 FETCH (UID 42 FLAGS (\\Seen $Label1) INTERNALDATE "03-Feb-2020 04:05:06 +0000" RFC822.SIZE 1234 MODSEQ (99) ${HF} {${headers.length}}\r\n)`), [headers], true);
  assert.ok(parsed && 'meta' in parsed);
  assert.deepEqual(parsed.meta, { uid: 42, flags: ['\\Seen', '$Label1'], internalDate: new Date('2020-02-03T04:05:06Z'), size: 1234, headers, modseq: 99n });
});

test('empty flags, NIL and quoted header sections, attributes in another order', () => {
  const a = parseMetaFetch(line(`* 1 FETCH (${HF} NIL RFC822.SIZE 5 INTERNALDATE "01-Jan-2001 00:00:00 +0000" FLAGS () UID 3)`), [], false);
  assert.ok(a && 'meta' in a);
  assert.equal(a.meta.headers.length, 0);
  assert.deepEqual(a.meta.flags, []);
  assert.equal(a.meta.modseq, null);
  const b = parseMetaFetch(line(`* 1 FETCH (UID 3 FLAGS () INTERNALDATE "01-Jan-2001 00:00:00 +0000" RFC822.SIZE 5 ${HF} "")`), [], false);
  assert.ok(b && 'meta' in b);
  assert.equal(b.meta.headers.length, 0);
});

test('a response with a UID but something unexpected is handed back by UID; other lines are not ours', () => {
  assert.deepEqual(parseMetaFetch(line('* 1 FETCH (UID 3 FLAGS (\\Seen))'), [], false), { unparsedUid: 3 });
  assert.deepEqual(parseMetaFetch(line(`* 1 FETCH (UID 3 FLAGS () INTERNALDATE "01-Jan-2001 00:00:00 +0000" RFC822.SIZE 5 ${HF} NIL)`), [], true), { unparsedUid: 3 }, 'MODSEQ expected but missing');
  assert.equal(parseMetaFetch(line('* 1 FETCH (FLAGS (\\Seen))'), [], false), null);
  assert.equal(parseMetaFetch(line('* 3 EXISTS'), [], false), null);
});
