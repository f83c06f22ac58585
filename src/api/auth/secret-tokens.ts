/**
 * Bearer secrets of the API: API tokens (`cut_` + 32 random bytes, base64url) and login session ids.
 * Only their sha256 is stored; a stolen database does not give working credentials.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Every API token starts with this, so secret scanners and people recognise it. */
export const API_TOKEN_PREFIX = 'cut_';

/** Characters of a token kept for display (`cut_` + 8). */
const DISPLAY_PREFIX_LENGTH = API_TOKEN_PREFIX.length + 8;

/** sha256 hex of a token or session id: what the store keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new API token with its hash and display prefix. */
export function newApiToken(): { token: string; hash: string; prefix: string } {
  const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), prefix: token.slice(0, DISPLAY_PREFIX_LENGTH) };
}

/** A new login session id (cookie value) with its hash. */
export function newSessionId(): { id: string; hash: string } {
  const id = randomBytes(32).toString('base64url');
  return { id, hash: hashToken(id) };
}
