/** Portal login sessions: the cookie value is random, only its sha256 is stored, with an expiry. */
import type { Db } from './db.ts';
import type { UserRole } from './user.repository.ts';

/** Stores a new session. */
export async function insertLoginSession(db: Db, input: { tokenHash: string; userId: string; expiresAt: Date }): Promise<void> {
  await db.query('INSERT INTO login_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)', [input.tokenHash, input.userId, input.expiresAt]);
}

/** The enabled user of a session that has not expired at `now`, or null. */
export async function findLoginSession(db: Db, tokenHash: string, now: Date): Promise<{ id: string; email: string; role: UserRole } | null> {
  const { rows } = await db.query<{ id: string; email: string; role: UserRole }>(
    `SELECT u.id, u.email, u.role FROM login_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`,
    [tokenHash, now],
  );
  const row = rows[0];
  return row ? { id: String(row.id), email: row.email, role: row.role } : null;
}

/** Ends one session (logout). */
export async function deleteLoginSession(db: Db, tokenHash: string): Promise<void> {
  await db.query('DELETE FROM login_sessions WHERE token_hash = $1', [tokenHash]);
}

/** Ends every session of a user (password change, disable). */
export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.query('DELETE FROM login_sessions WHERE user_id = $1', [userId]);
}

/** Removes sessions expired at `now`; returns how many. */
export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const { rowCount } = await db.query('DELETE FROM login_sessions WHERE expires_at <= $1', [now]);
  return rowCount ?? 0;
}
