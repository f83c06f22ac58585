/** Users (admin only): list, create, show, change role / name / password / disabled. */
import { z } from 'zod';
import { AppError } from '../../core/app-error.ts';
import { deleteUserSessions } from '../../store/login-session.repository.ts';
import { createUser, getUser, listUsers, updateUser } from '../../store/user.repository.ts';
import type { ApiDeps } from '../api-deps.ts';
import { hashPassword } from '../auth/password-hash.ts';
import type { ApiApp } from '../fastify-types.ts';
import { IdParams } from '../schemas/common.schemas.ts';
import { NewPassword, Role, User, userView } from '../schemas/user.schemas.ts';

const admin = { access: 'admin' as const };

/** Registers the user routes. */
export function registerUserRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get('/api/users', {
    config: admin,
    schema: { tags: ['users'], summary: 'List users (admin)', response: { 200: z.object({ users: z.array(User) }) } },
  }, async () => ({ users: (await listUsers(deps.pool)).map(userView) }));

  app.post('/api/users', {
    config: admin,
    schema: {
      tags: ['users'], summary: 'Create a user (admin)',
      body: z.object({ email: z.email(), name: z.string().max(200).optional(), role: Role, password: NewPassword }),
      response: { 201: User },
    },
  }, async (request, reply) => {
    const { email, name, role, password } = request.body;
    const user = await createUser(deps.pool, { email, name, role, passwordHash: await hashPassword(password) });
    if (!user) throw new AppError('API_CONFLICT', 'a user with this email exists', { details: { email } });
    return reply.status(201).send(userView(user));
  });

  app.get('/api/users/:id', {
    config: admin,
    schema: { tags: ['users'], summary: 'Show a user (admin)', params: IdParams, response: { 200: User } },
  }, async (request) => {
    const user = await getUser(deps.pool, request.params.id);
    if (!user) throw new AppError('API_NOT_FOUND', 'no such user', { details: { resource: 'user', id: request.params.id } });
    return userView(user);
  });

  app.patch('/api/users/:id', {
    config: admin,
    schema: {
      tags: ['users'], summary: 'Change a user (admin); a new password or disabling ends their sessions',
      params: IdParams,
      body: z.object({ name: z.string().max(200).optional(), role: Role.optional(), disabled: z.boolean().optional(), password: NewPassword.optional() }),
      response: { 200: User },
    },
  }, async (request) => {
    const { name, role, disabled, password } = request.body;
    const user = await updateUser(deps.pool, request.params.id, {
      name, role, disabled, ...(password === undefined ? {} : { passwordHash: await hashPassword(password) }),
    });
    if (!user) throw new AppError('API_NOT_FOUND', 'no such user', { details: { resource: 'user', id: request.params.id } });
    if (password !== undefined || disabled === true) await deleteUserSessions(deps.pool, user.id);
    return userView(user);
  });
}
