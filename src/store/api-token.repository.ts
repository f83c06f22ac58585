/**
 * API tokens: only the sha256 of a token is stored (the token is shown once, at creation); the
 * prefix (`cut_` and a few characters) is kept so people can tell their tokens apart.
 */
import type { Db } from './db.ts';
import type { UserRole } from './user.repository.ts';

/** A token as listed: never the token itself, never its hash. */
export interface ApiTokenRecord {
  readonly id: string;
  readonly userId: string;
  readonly userEmail: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

interface TokenRow {
  id: string;
  user_id: string;
  email: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

function fromRow(row: TokenRow): ApiTokenRecord {
  return {
    id: String(row.id), userId: String(row.user_id), userEmail: row.email, name: row.name, prefix: row.prefix,
    createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at,
  };
}

const SELECT = `SELECT t.id, t.user_id, u.email, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at
                  FROM api_tokens t JOIN users u ON u.id = t.user_id`;

/** Stores a new token by its hash. */
export async function insertApiToken(db: Db, input: { userId: string; name: string; tokenHash: string; prefix: string }): Promise<ApiTokenRecord> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($1, $2, $3, $4) RETURNING id',
    [input.userId, input.name, input.tokenHash, input.prefix],
  );
  const record = await getApiToken(db, String(rows[0]?.id));
  if (!record) throw new Error('inserted token vanished');
  return record;
}

/** One token by id, or null. */
export async function getApiToken(db: Db, id: string): Promise<ApiTokenRecord | null> {
  const { rows } = await db.query<TokenRow>(`${SELECT} WHERE t.id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Every token (revoked ones too, for the audit trail), newest first. */
export async function listApiTokens(db: Db): Promise<ApiTokenRecord[]> {
  const { rows } = await db.query<TokenRow>(`${SELECT} ORDER BY t.id DESC`);
  return rows.map(fromRow);
}

/** The live token with this hash and its enabled user, recording its use; null otherwise. */
export async function useApiToken(
  db: Db,
  tokenHash: string,
  now: Date,
): Promise<{ tokenId: string; user: { id: string; email: string; role: UserRole } } | null> {
  const { rows } = await db.query<{ id: string; user_id: string; email: string; role: UserRole }>(
    `UPDATE api_tokens t SET last_used_at = $2
       FROM users u
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.id = t.user_id AND NOT u.disabled
      RETURNING t.id, t.user_id, u.email, u.role`,
    [tokenHash, now],
  );
  const row = rows[0];
  return row ? { tokenId: String(row.id), user: { id: String(row.user_id), email: row.email, role: row.role } } : null;
}

/** Revokes a token (idempotent); null when there is no such token. */
export async function revokeApiToken(db: Db, id: string, now: Date): Promise<ApiTokenRecord | null> {
  await db.query('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1', [id, now]);
  return getApiToken(db, id);
}
