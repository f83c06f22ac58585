/**
 * The one gate of the API: an `onRequest` hook on the root instance, so it runs for every route —
 * including routes added later and unknown URLs. A route is public only when it says so
 * (`config.access: 'public'`) or belongs to the docs; every other route needs an API token
 * (`Authorization: Bearer cut_…`) or a login session cookie, and the role the route requires.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../core/app-error.ts';
import type { Clock } from '../../core/clock.ts';
import type pg from 'pg';
import { useApiToken } from '../../store/api-token.repository.ts';
import { findLoginSession } from '../../store/login-session.repository.ts';
import { hasRole, requiredRole, type Principal, type RouteAccess } from './roles.ts';
import { API_TOKEN_PREFIX, hashToken } from './secret-tokens.ts';

/** Name of the login session cookie (HttpOnly, SameSite=Strict). */
export const SESSION_COOKIE = 'cutover_session';

/** URL prefix of the Swagger UI pages and assets: public like /openapi.json. */
export const DOCS_PREFIX = '/docs';

/** The access a request needs: docs routes are public, the rest as the route says. */
export function accessOf(request: FastifyRequest): RouteAccess {
  const url = request.routeOptions.url;
  if (url !== undefined && (url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`))) return 'public';
  return requiredRole(request.method, request.routeOptions.config.access);
}

/** Who is calling: from a Bearer token if one is sent (and then only from it), else the session cookie. */
export async function resolvePrincipal(pool: pg.Pool, clock: Clock, request: FastifyRequest): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match?.[1];
    if (!token?.startsWith(API_TOKEN_PREFIX)) return null;
    const found = await useApiToken(pool, hashToken(token), clock.now());
    return found ? { userId: found.user.id, email: found.user.email, role: found.user.role, via: { kind: 'token', tokenId: found.tokenId } } : null;
  }
  const sessionId = request.cookies[SESSION_COOKIE];
  if (!sessionId) return null;
  const sessionHash = hashToken(sessionId);
  const user = await findLoginSession(pool, sessionHash, clock.now());
  return user ? { userId: user.id, email: user.email, role: user.role, via: { kind: 'session', sessionHash } } : null;
}

/** The hook: sets `request.principal` or throws API_UNAUTHENTICATED / API_FORBIDDEN. */
export function authenticateHook(pool: pg.Pool, clock: Clock): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const access = accessOf(request);
    if (access === 'public') return;
    const principal = await resolvePrincipal(pool, clock, request);
    if (!principal) throw new AppError('API_UNAUTHENTICATED', 'authentication required: log in or send an API token');
    if (!hasRole(principal.role, access)) {
      throw new AppError('API_FORBIDDEN', `this needs the ${access} role; you are ${principal.role}`, { details: { role: principal.role, needed: access } });
    }
    request.principal = principal;
  };
}

/** The caller of an authenticated route (a route marked public has none). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('API_UNAUTHENTICATED', 'authentication required');
  return request.principal;
}
