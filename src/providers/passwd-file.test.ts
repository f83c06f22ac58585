import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { formatPasswd, isValidPasswdUser, parsePasswd, ssha512 } from './passwd-file.ts';

test('passwd-file lines round-trip', () => {
  const text = 'alice:{PLAIN}x:65534:65534::/home/alice::\n# comment\n\nadmin:{SSHA512}abc::::\n';
  const entries = parsePasswd(text);
  assert.deepEqual(entries.map((e) => e.user), ['alice', 'admin']);
  // Short lines come back with every field (7+), which Dovecot reads the same.
  assert.equal(formatPasswd(entries), 'alice:{PLAIN}x:65534:65534::/home/alice::\nadmin:{SSHA512}abc:::::\n');
});

test('SSHA512: base64 of sha512(password + salt) + salt', () => {
  const salt = Buffer.from('saltsalt');
  const hash = ssha512('secret', salt);
  const raw = Buffer.from(hash.slice('{SSHA512}'.length), 'base64');
  assert.deepEqual(raw.subarray(64), salt);
  assert.deepEqual(raw.subarray(0, 64), createHash('sha512').update('secret').update(salt).digest());
});

test('user names a passwd-file can hold', () => {
  assert.equal(isValidPasswdUser('ann@acme.test'), true);
  assert.equal(isValidPasswdUser('a:b'), false);
  assert.equal(isValidPasswdUser('a b'), false);
  assert.equal(isValidPasswdUser(''), false);
});
