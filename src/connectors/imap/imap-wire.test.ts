import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendableFlags, parseAppendUid } from './append.ts';
import { expandSequenceSet, formatInternalDate, toSequenceSet } from './imap-wire.ts';
import { mapImapError } from './map-imap-error.ts';

test('sequence sets: compress and expand in order (RFC 4315 §3 order, descending ranges)', () => {
  assert.equal(toSequenceSet([5, 1, 2, 3, 9, 3]), '1:3,5,9');
  assert.equal(toSequenceSet([]), '');
  assert.deepEqual(expandSequenceSet('5:7,2'), [5, 6, 7, 2]);
  assert.deepEqual(expandSequenceSet('9:7'), [9, 8, 7]);
  assert.equal(expandSequenceSet('1:*'), null);
});

test('APPENDUID with a single UID, a range and a list', () => {
  const tagged = (code: string[]) => ({ tag: 'A1', command: 'OK', attributes: [{ type: 'ATOM', value: '', section: code.map((value) => ({ type: 'ATOM', value })) }] });
  assert.deepEqual(parseAppendUid(tagged(['APPENDUID', '38505', '3955'])), { uidValidity: 38505n, uids: [3955] });
  assert.deepEqual(parseAppendUid(tagged(['APPENDUID', '1', '5:7,10'])), { uidValidity: 1n, uids: [5, 6, 7, 10] });
  assert.equal(parseAppendUid(tagged(['READ-WRITE'])), null);
});

test('flags: \\Recent and invalid atoms are never sent, duplicates dropped', () => {
  assert.deepEqual(appendableFlags(['\\Seen', '\\Recent', '\\seen', '$Label1', 'bad flag', 'Junk', '\\*']), ['\\Seen', '$Label1', 'Junk']);
});

test('INTERNALDATE in APPEND form, UTC', () => {
  assert.equal(formatInternalDate(new Date('2001-02-03T04:05:06Z')), '03-Feb-2001 04:05:06 +0000');
});

test('mapImapError: codes from response codes, socket and TLS errors; details keep the server text', () => {
  const no = (code: string | undefined, text: string) => Object.assign(new Error('Command failed'), { responseStatus: 'NO', responseText: text, serverResponseCode: code });
  assert.equal(mapImapError(no('OVERQUOTA', 'Quota exceeded'), { operation: 'append' }).code, 'TARGET_QUOTA_EXCEEDED');
  assert.equal(mapImapError(no('TOOBIG', 'too big'), { operation: 'append' }).code, 'ITEM_TOO_LARGE');
  assert.equal(mapImapError(no(undefined, 'zero byte'), { operation: 'append' }).code, 'ITEM_REJECTED');
  assert.equal(mapImapError(no('TRYCREATE', 'no folder'), { operation: 'append' }).code, 'FOLDER_NOT_FOUND');
  assert.equal(mapImapError(no('CANNOT', 'bad name'), { operation: 'create' }).code, 'FOLDER_CREATE_FAILED');
  assert.equal(mapImapError(no('AUTHORIZATIONFAILED', 'no'), { operation: 'connect' }).code, 'IMAP_AUTHZ_FAILED');
  assert.equal(mapImapError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), { operation: 'connect' }).code, 'IMAP_CONNECT_FAILED');
  assert.equal(mapImapError(Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), { operation: 'connect' }).code, 'IMAP_TLS_FAILED');
  assert.equal(mapImapError(Object.assign(new Error('x'), { code: 'ETHROTTLE', throttleReset: 500 }), { operation: 'fetch' }).code, 'IMAP_THROTTLED');
  assert.equal(mapImapError(Object.assign(new Error('x'), { code: 'NoConnection' }), { operation: 'fetch' }).code, 'IMAP_CONNECTION_LOST');
  const mapped = mapImapError(Object.assign(no('OVERQUOTA', 'Quota exceeded'), { executedCommand: 'A1 LOGIN "u" "pw"' }), { operation: 'append', path: 'INBOX' });
  assert.equal(mapped.details['serverText'], 'Quota exceeded');
  assert.ok(!JSON.stringify(mapped.toJSON()).includes('pw'));
});
