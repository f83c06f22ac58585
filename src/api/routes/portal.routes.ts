/** GET /: a placeholder page until the web portal lands (it links the API docs). Public, static, no data. */
import type { ApiApp } from '../fastify-types.ts';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cutover</title></head>
<body><h1>Cutover</h1><p>The web portal comes with the portal issue. The HTTP API is documented at <a href="/docs">/docs</a>.</p></body></html>
`;

/** Registers the placeholder portal page. */
export function registerPortalRoutes(app: ApiApp): void {
  app.get('/', { config: { access: 'public' }, schema: { tags: ['portal'], summary: 'The portal page (placeholder until the portal lands; no auth, no data)', security: [] } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
