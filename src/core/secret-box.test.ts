import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AppError } from './app-error.ts';
import { openSecret, parseSecretKey, sealSecret } from './secret-box.ts';

const isConfigInvalid = (err: unknown): boolean => err instanceof AppError && err.code === 'CONFIG_INVALID';

void test('a sealed secret opens to the same text, and two seals differ (random IV)', () => {
  const key = randomBytes(32);
  const a = sealSecret(key, 'pässwörd 🔑');
  const b = sealSecret(key, 'pässwörd 🔑');
  assert.notDeepEqual(a, b);
  assert.equal(a[0], 1);
  assert.equal(openSecret(key, a), 'pässwörd 🔑');
  assert.equal(openSecret(key, sealSecret(key, '')), '');
});

void test('any altered byte is detected', () => {
  const key = randomBytes(32);
  const sealed = sealSecret(key, 'secret');
  for (let i = 0; i < sealed.length; i++) {
    const tampered = Buffer.from(sealed);
    tampered[i] = (tampered[i] ?? 0) ^ 0x01;
    assert.throws(() => openSecret(key, tampered), isConfigInvalid, `byte ${i}`);
  }
  assert.throws(() => openSecret(key, sealed.subarray(0, 20)), isConfigInvalid);
});

void test('the wrong key does not open a secret', () => {
  const sealed = sealSecret(randomBytes(32), 'secret');
  assert.throws(() => openSecret(randomBytes(32), sealed), isConfigInvalid);
  assert.throws(() => sealSecret(randomBytes(16), 'x'), isConfigInvalid);
});

void test('parseSecretKey accepts hex and base64 of 32 bytes only', () => {
  const key = randomBytes(32);
  assert.deepEqual(parseSecretKey(key.toString('hex')), key);
  assert.deepEqual(parseSecretKey(` ${key.toString('base64')}\n`), key);
  assert.deepEqual(parseSecretKey(key.toString('base64url')), key);
  for (const bad of ['', 'abc', randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), `${key.toString('hex')}00`, 'not a key at all!']) {
    assert.throws(() => parseSecretKey(bad), isConfigInvalid, bad);
  }
});
