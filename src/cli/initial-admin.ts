/**
 * The first admin of a new installation when none is configured: `cutover serve` on an empty users
 * table creates `admin@cutover.local` with a random password and writes both to
 * `<dataDir>/initial-admin.txt` (mode 0600). The password is never printed or logged; the console
 * says where the file is. Set CUTOVER_ADMIN_EMAIL / CUTOVER_ADMIN_PASSWORD to choose them instead.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The generated admin's email. */
export const INITIAL_ADMIN_EMAIL = 'admin@cutover.local';

/** Generates the first admin's credentials and stores them in the data folder; returns them and the file. */
export function writeInitialAdmin(dataDir: string): { email: string; password: string; path: string } {
  const password = randomBytes(18).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'initial-admin.txt');
  writeFileSync(path, [
    '# The first admin of this Cutover installation, created at its first start.',
    '# Log in, then change the password (PATCH /api/users/:id) and delete this file.',
    `email: ${INITIAL_ADMIN_EMAIL}`,
    `password: ${password}`,
    '',
  ].join('\n'), { mode: 0o600 });
  chmodSync(path, 0o600);
  return { email: INITIAL_ADMIN_EMAIL, password, path };
}
