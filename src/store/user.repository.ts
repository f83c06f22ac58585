/** Users of the API and the portal: email, role, scrypt password hash (api/auth/password-hash.ts). */
import type { Db } from './db.ts';

/** admin: everything; operator: run and change projects and pairs; viewer: read only. */
export type UserRole = 'admin' | 'operator' | 'viewer';

/** A user as the rest of the code sees it; the password hash stays in the store unless asked for. */
export interface UserRecord {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: UserRole;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  password_hash: string | null;
  disabled: boolean;
  created_at: Date;
}

function fromRow(row: UserRow): UserRecord {
  return { id: String(row.id), email: row.email, name: row.name, role: row.role, disabled: row.disabled, createdAt: row.created_at };
}

/** Emails compare case-insensitively; they are stored trimmed and lower-cased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Inserts a user; null when the email is taken. */
export async function createUser(
  db: Db,
  input: { email: string; name?: string; role: UserRole; passwordHash: string | null },
): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (email) DO NOTHING RETURNING *`,
    [normaliseEmail(input.email), input.name ?? '', input.role, input.passwordHash],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

/** One user by id, or null. */
export async function getUser(db: Db, id: string): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** One user by email with the password hash, for login only. */
export async function getUserForLogin(db: Db, email: string): Promise<(UserRecord & { passwordHash: string | null }) | null> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE email = $1', [normaliseEmail(email)]);
  const row = rows[0];
  return row ? { ...fromRow(row), passwordHash: row.password_hash } : null;
}

/** All users, oldest first. */
export async function listUsers(db: Db): Promise<UserRecord[]> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users ORDER BY id');
  return rows.map(fromRow);
}

/** How many users exist (the bootstrap admin is created only when none does). */
export async function countUsers(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM users');
  return Number(rows[0]?.n ?? 0);
}

/** Changes the given fields; null when there is no such user. */
export async function updateUser(
  db: Db,
  id: string,
  patch: { name?: string; role?: UserRole; disabled?: boolean; passwordHash?: string },
): Promise<UserRecord | null> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET name = COALESCE($2, name), role = COALESCE($3, role), disabled = COALESCE($4, disabled),
            password_hash = COALESCE($5, password_hash)
      WHERE id = $1 RETURNING *`,
    [id, patch.name ?? null, patch.role ?? null, patch.disabled ?? null, patch.passwordHash ?? null],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}
