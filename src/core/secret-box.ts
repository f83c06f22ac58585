/**
 * Secrets at rest (endpoint passwords, tokens): AES-256-GCM with a random 12-byte IV per seal.
 * Sealed layout: version (1 byte, = 1) | IV (12) | tag (16) | ciphertext. The version byte is also the
 * additional authenticated data, so it cannot be altered to make an old box read under other rules.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from './app-error.ts';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) {
    throw new AppError('CONFIG_INVALID', `the secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
}

/** Encrypts and authenticates `plaintext` with a 32-byte key. */
export function sealSecret(key: Buffer, plaintext: string): Buffer {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const version = Buffer.from([VERSION]);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(version);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([version, iv, cipher.getAuthTag(), ciphertext]);
}

/** Decrypts a sealed secret; CONFIG_INVALID when the key is wrong or the data was altered. */
export function openSecret(key: Buffer, sealed: Buffer): string {
  checkKey(key);
  if (sealed.length < HEADER_BYTES || sealed[0] !== VERSION) {
    throw new AppError('CONFIG_INVALID', 'a stored secret is damaged or of an unknown format');
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(sealed.subarray(0, 1));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
  } catch (err) {
    throw new AppError('CONFIG_INVALID', 'a stored secret cannot be opened: wrong secret key, or the data was altered', { cause: err });
  }
}

/** Parses a 32-byte key given as 64 hex digits or base64 (standard or URL-safe); CONFIG_INVALID otherwise. */
export function parseSecretKey(text: string): Buffer {
  const value = text.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(value)) {
    key = Buffer.from(value, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    key = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  }
  if (key?.length !== KEY_BYTES) {
    throw new AppError('CONFIG_INVALID', `the secret key must be ${KEY_BYTES} bytes as 64 hex digits or base64 (for example: openssl rand -base64 32)`);
  }
  return key;
}
