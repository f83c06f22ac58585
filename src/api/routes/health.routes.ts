/** GET /healthz: liveness and database reachability, for load balancers. Public. */
import { z } from 'zod';
import type { ApiDeps } from '../api-deps.ts';
import type { ApiApp } from '../fastify-types.ts';

/** Registers the health route. */
export function registerHealthRoutes(app: ApiApp, deps: ApiDeps): void {
  app.get('/healthz', {
    config: { access: 'public' },
    schema: {
      tags: ['health'], summary: 'Liveness and database check (no auth)', security: [],
      response: { 200: z.object({ status: z.literal('ok'), database: z.literal('ok') }), 503: z.object({ status: z.literal('degraded'), database: z.literal('unavailable') }) },
    },
  }, async (_request, reply) => {
    try {
      await deps.pool.query('SELECT 1');
      return { status: 'ok' as const, database: 'ok' as const };
    } catch {
      return reply.status(503).send({ status: 'degraded' as const, database: 'unavailable' as const });
    }
  });
}
