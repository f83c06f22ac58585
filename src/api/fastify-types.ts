/**
 * Fastify type extensions of the API: the caller on the request, the access setting on a route, and
 * the app type with the zod type provider that every routes file receives.
 */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Principal, RouteAccess } from './auth/roles.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; null only on public routes. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route (auth/roles.ts `requiredRole`): viewer for GET, operator otherwise. */
    access?: RouteAccess;
  }
}

/** The Fastify instance routes are registered on. */
export type ApiApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** One registered route, as the auth and OpenAPI tests enumerate them. */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: RouteAccess;
}
