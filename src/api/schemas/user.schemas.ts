/** Users as the API shows them: never a password or its hash. */
import { z } from 'zod';
import type { UserRecord } from '../../store/user.repository.ts';
import { Id, iso, Timestamp } from './common.schemas.ts';

export const Role = z.enum(['admin', 'operator', 'viewer']);

export const User = z.object({
  id: Id,
  email: z.string(),
  name: z.string(),
  role: Role,
  disabled: z.boolean(),
  createdAt: Timestamp,
}).meta({ id: 'User' });

/** A stored user in the API's shape. */
export function userView(user: UserRecord): z.infer<typeof User> {
  return { id: user.id, email: user.email, name: user.name, role: user.role, disabled: user.disabled, createdAt: iso(user.createdAt) ?? '' };
}

/** Passwords: long enough to matter, short enough that scrypt input stays bounded. */
export const NewPassword = z.string().min(10, 'at least 10 characters').max(1024);
