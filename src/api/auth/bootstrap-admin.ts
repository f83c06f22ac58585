/** The first admin: created from configuration when no user exists yet (first start of `cutover serve`). */
import type { ApiDeps } from '../api-deps.ts';
import { countUsers, createUser } from '../../store/user.repository.ts';
import { hashPassword } from './password-hash.ts';

/** Creates `deps.bootstrapAdmin` as an admin when the users table is empty; returns whether it did. */
export async function ensureBootstrapAdmin(deps: Pick<ApiDeps, 'pool' | 'logger' | 'bootstrapAdmin'>): Promise<boolean> {
  const admin = deps.bootstrapAdmin;
  if (!admin) return false;
  if ((await countUsers(deps.pool)) > 0) return false;
  // Two processes starting at once: the unique email makes the second insert a no-op.
  const created = await createUser(deps.pool, { email: admin.email, name: 'Administrator', role: 'admin', passwordHash: await hashPassword(admin.password) });
  if (created) deps.logger.info({ email: created.email }, 'created the bootstrap admin user');
  return created !== null;
}
