import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from './password-hash.ts';

test('a hash verifies its password and no other', async () => {
  const hash = await hashPassword('correct horse', { N: 1024, r: 8, p: 1 });
  assert.match(hash, /^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.ok(!hash.includes('correct horse'));
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('correct horsf', hash), false);
});

test('two hashes of one password differ (random salt)', async () => {
  const cost = { N: 1024, r: 8, p: 1 };
  assert.notEqual(await hashPassword('x', cost), await hashPassword('x', cost));
});

test('a missing or malformed hash never verifies', async () => {
  assert.equal(await verifyPassword('x', null), false);
  assert.equal(await verifyPassword('x', 'plain-text'), false);
});
