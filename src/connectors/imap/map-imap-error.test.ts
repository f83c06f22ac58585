import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapImapError } from './map-imap-error.ts';

test("a BYE instead of a greeting: the server's words in the message; too many connections is throttling", () => {
  const bye = Object.assign(new Error('Unexpected close'), { code: 'ClosedAfterConnectText', reason: 'Too many simultaneous connections for this account' });
  const err = mapImapError(bye, { operation: 'connect' });
  assert.equal(err.code, 'IMAP_THROTTLED');
  assert.equal(err.message, 'IMAP connect failed: BYE Too many simultaneous connections for this account');
  const other = mapImapError(Object.assign(new Error('Unexpected close'), { code: 'ClosedAfterConnectText', reason: 'Server shutting down' }), { operation: 'connect' });
  assert.equal(other.code, 'IMAP_CONNECTION_LOST');
  assert.match(other.message, /BYE Server shutting down/);
  const plain = mapImapError(Object.assign(new Error('Unexpected close'), { code: 'ClosedAfterConnectText' }), { operation: 'connect' });
  assert.equal(plain.message, 'IMAP connect failed: Unexpected close');
});

test('NO [LIMIT] at login is throttling, with the server text', () => {
  const no = Object.assign(new Error('Command failed'), { responseStatus: 'NO', serverResponseCode: 'LIMIT', responseText: 'Maximum number of connections from user+IP exceeded', authenticationFailed: true });
  const err = mapImapError(no, { operation: 'login' });
  assert.equal(err.code, 'IMAP_THROTTLED');
  assert.match(err.message, /NO \[LIMIT\] Maximum number of connections/);
});
