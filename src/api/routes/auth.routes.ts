/**
 * Login sessions for the portal: POST /api/auth/login sets an HttpOnly, SameSite=Strict cookie
 * holding a random session id (only its sha256 is stored); logout ends it; me says who is calling.
 */
import { z } from 'zod';
import { AppError } from '../../core/app-error.ts';
import { deleteLoginSession, insertLoginSession } from '../../store/login-session.repository.ts';
import { getUser, getUserForLogin } from '../../store/user.repository.ts';
import type { ApiDeps } from '../api-deps.ts';
import { principalOf, SESSION_COOKIE } from '../auth/authenticate.ts';
import { verifyPassword } from '../auth/password-hash.ts';
import { newSessionId } from '../auth/secret-tokens.ts';
import type { ApiApp } from '../fastify-types.ts';
import { Ok } from '../schemas/common.schemas.ts';
import { User, userView } from '../schemas/user.schemas.ts';

const DEFAULT_TTL_SECONDS = 12 * 3600;

const Me = User.extend({ authenticatedBy: z.enum(['session', 'token']) });

/** Registers login, logout and me. */
export function registerAuthRoutes(app: ApiApp, deps: ApiDeps): void {
  const ttl = deps.sessionTtlSeconds ?? DEFAULT_TTL_SECONDS;

  app.post('/api/auth/login', {
    config: { access: 'public' },
    schema: {
      tags: ['auth'], summary: 'Log in; sets the session cookie', security: [],
      body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }),
      response: { 200: User },
    },
  }, async (request, reply) => {
    const user = await getUserForLogin(deps.pool, request.body.email);
    // verifyPassword spends the same time for a missing user, so emails cannot be probed.
    const valid = await verifyPassword(request.body.password, user?.passwordHash ?? null);
    if (!user || !valid || user.disabled) throw new AppError('API_LOGIN_FAILED', 'wrong email or password');
    const session = newSessionId();
    const expiresAt = new Date(deps.clock.now().getTime() + ttl * 1000);
    await insertLoginSession(deps.pool, { tokenHash: session.hash, userId: user.id, expiresAt });
    void reply.setCookie(SESSION_COOKIE, session.id, {
      httpOnly: true, sameSite: 'strict', path: '/', maxAge: ttl, secure: request.protocol === 'https',
    });
    request.log.info({ userId: user.id }, 'user logged in');
    return userView(user);
  });

  app.post('/api/auth/logout', {
    // Ending one's own session is allowed to every role, viewers included.
    config: { access: 'viewer' },
    schema: { tags: ['auth'], summary: 'End the login session (clears the cookie)', response: { 200: Ok } },
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (principal.via.kind === 'session') await deleteLoginSession(deps.pool, principal.via.sessionHash);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  app.get('/api/auth/me', {
    schema: { tags: ['auth'], summary: 'The calling user and how they authenticated', response: { 200: Me } },
  }, async (request) => {
    const principal = principalOf(request);
    const user = await getUser(deps.pool, principal.userId);
    if (!user) throw new AppError('API_UNAUTHENTICATED', 'the user no longer exists');
    return { ...userView(user), authenticatedBy: principal.via.kind };
  });
}
