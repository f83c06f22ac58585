/**
 * The web portal's files (web/dist, built by `npm run build:web`) served by the API. The files are
 * public — they hold no data; every piece of data comes through the authenticated API. Every GET that
 * is not an API route falls back to index.html, so a deep link (/projects/7/mailboxes) loads the app,
 * which then routes in the browser. Unknown /api/ paths keep their API behaviour: 401 without
 * credentials, else 404 API_NOT_FOUND.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../core/app-error.ts';
import { PROJECT_ROOT } from '../core/project-root.ts';
import type { ApiDeps } from './api-deps.ts';
import { resolvePrincipal } from './auth/authenticate.ts';
import { notFoundError } from './error-mapper.ts';
import type { ApiApp } from './fastify-types.ts';

/** Where `vite build` writes the portal. */
export const PORTAL_DIST = resolve(PROJECT_ROOT, 'web', 'dist');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The page's policy: only its own scripts; inline style attributes (progress bar widths) allowed. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** Shown when the portal was not built (a checkout without `npm run build:web`). */
const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cutover</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><h1>Cutover</h1>
<p>The web portal has not been built. Run <code>npm run build:web</code> (or start the server with <code>npm start</code>, which builds it) and reload.</p>
<p>API documentation: <a href="/docs">/docs</a> (OpenAPI document: <a href="/openapi.json">/openapi.json</a>).</p>
</body></html>
`;

/** The file under `root` that `urlPath` names, or null (outside the root, missing, or a folder). */
export function portalFile(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = normalize(join(root, decoded));
  if (file !== root && !file.startsWith(root + sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

function sendFile(reply: FastifyReply, file: string): FastifyReply {
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  // Vite puts a content hash in asset names: cache them for good; index.html always revalidates.
  const immutable = file.includes(`${sep}assets${sep}`);
  if (type.startsWith('text/html')) void reply.header('content-security-policy', CSP).header('referrer-policy', 'same-origin');
  return reply
    .type(type)
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .send(readFileSync(file));
}

function sendIndex(reply: FastifyReply, root: string): FastifyReply {
  const index = join(root, 'index.html');
  if (!existsSync(index)) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT);
  return sendFile(reply, index);
}

/** Registers the portal: `/` and every other non-API GET (public, static files only). */
export function registerPortal(app: ApiApp, deps: ApiDeps, root: string = PORTAL_DIST): void {
  const config = { access: 'public' as const };
  app.get('/', { config, schema: { tags: ['portal'], summary: 'The web portal (HTML; public, it holds no data)', security: [] } }, (_request, reply) => sendIndex(reply, root));
  app.get('/*', {
    config,
    // OpenAPI has no wildcard paths: the catch-all stays out of the document (GET / stands for it).
    schema: { hide: true },
  }, async (request: FastifyRequest, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (path === '/api' || path.startsWith('/api/')) {
      // Unknown API routes behave as before the portal existed: credentials first, then 404.
      if (!(await resolvePrincipal(deps.pool, deps.clock, request))) throw new AppError('API_UNAUTHENTICATED', 'authentication required: log in or send an API token');
      throw notFoundError(request.method, request.url);
    }
    const file = portalFile(root, path);
    if (file) return sendFile(reply, file);
    // A missing asset is a 404, not the app (a stale tab asking for an old bundle must not get HTML).
    if (path.startsWith('/assets/')) throw notFoundError(request.method, request.url);
    return sendIndex(reply, root);
  });
}
