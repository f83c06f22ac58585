/**
 * `buildApp(deps)`: the HTTP API (Fastify 5) without listening — `server.ts` listens, tests use
 * `inject()`. Zod schemas validate requests and serialize responses (fastify-type-provider-zod) and
 * feed the OpenAPI 3 document at /openapi.json and the Swagger UI at /docs (assets from the npm
 * package, nothing is fetched at runtime). Every route needs auth unless it says `access: 'public'`
 * (auth/authenticate.ts).
 */
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiDeps } from './api-deps.ts';
import { authenticateHook, DOCS_PREFIX } from './auth/authenticate.ts';
import { ensureBootstrapAdmin } from './auth/bootstrap-admin.ts';
import { requiredRole } from './auth/roles.ts';
import { registerPortal } from './portal.ts';
import { apiErrorHandler, ErrorBody, notFoundError } from './error-mapper.ts';
import type { ApiApp, RegisteredRoute } from './fastify-types.ts';
import { registerAdminClockRoutes } from './routes/admin-clock.routes.ts';
import { registerAuthRoutes } from './routes/auth.routes.ts';
import { registerBatchRoutes } from './routes/batches.routes.ts';
import { registerCutoverPanelRoutes } from './routes/cutover-panels.routes.ts';
import { registerCutoverRoutes } from './routes/cutover.routes.ts';
import { registerEndpointRoutes } from './routes/endpoints.routes.ts';
import { registerEventRoutes } from './routes/events.routes.ts';
import { registerHealthRoutes } from './routes/health.routes.ts';
import { registerImportRoutes } from './routes/import.routes.ts';
import { registerPairRoutes } from './routes/pairs.routes.ts';
import { registerProjectRoutes } from './routes/projects.routes.ts';
import { registerReportHistoryRoutes } from './routes/report-history.routes.ts';
import { registerReportRoutes } from './routes/reports.routes.ts';
import { registerTokenRoutes } from './routes/tokens.routes.ts';
import { registerUserRoutes } from './routes/users.routes.ts';
import './fastify-types.ts';

/** Largest JSON body (CSV import has its own, larger limit). */
const BODY_LIMIT = 1024 * 1024;

const routeLists = new WeakMap<object, RegisteredRoute[]>();

/** Every route registered on an app built by `buildApp` (the auth and OpenAPI tests walk them). */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routeLists.get(app) ?? [];
}

/** Log line of a request: method and path only — never the query, headers, cookies or body. */
function requestForLog(request: FastifyRequest): { method: string; url: string; id: string } {
  return { method: request.method, url: request.url.split('?')[0] ?? '', id: request.id };
}

/** Builds the API app: plugins, auth gate, error mapper, routes. Call `close()` when done. */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const logger = deps.logger.child({ component: 'api' }, { serializers: { req: requestForLog } });
  const app = Fastify({ loggerInstance: logger, bodyLimit: BODY_LIMIT, trustProxy: false }).withTypeProvider<ZodTypeProvider>();
  const routes: RegisteredRoute[] = [];
  routeLists.set(app, routes);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(apiErrorHandler);
  app.setNotFoundHandler((request) => {
    throw notFoundError(request.method, request.url);
  });
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // HEAD routes are added by Fastify for every GET; they answer like the GET.
      if (method === 'HEAD' && route.url !== undefined) continue;
      const docs = route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`);
      routes.push({ method, url: route.url, access: docs ? 'public' : requiredRole(method, route.config?.access) });
    }
    // Every documented route answers errors in one shape; say so in the OpenAPI document.
    if (route.schema && !route.schema.hide) {
      route.schema.response = { '4XX': ErrorBody, '5XX': ErrorBody, ...(route.schema.response as Record<string, unknown> | undefined) };
    }
  });

  await app.register(fastifyCookie);
  // The import route takes CSV as it is; the body stays a string (never logged).
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string' }, (_request, text, done) => done(null, text));

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Cutover API',
        version: '0.1.0',
        description: 'Email migration projects, endpoints, mailbox pairs, passes and reports. Errors: `{ code, message, hint, details }` (docs/errors.md). See docs/api.md.',
      },
      components: {
        securitySchemes: {
          bearerToken: { type: 'http', scheme: 'bearer', description: 'API token `cut_…` (POST /api/tokens, admin)' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'cutover_session', description: 'login session (POST /api/auth/login)' },
        },
      },
      security: [{ bearerToken: [] }, { sessionCookie: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true });

  app.addHook('onRequest', authenticateHook(deps.pool, deps.clock));

  const api = app as unknown as ApiApp;
  api.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, () => app.swagger());
  registerHealthRoutes(api, deps);
  registerPortal(api, deps);
  registerAuthRoutes(api, deps);
  registerUserRoutes(api, deps);
  registerTokenRoutes(api, deps);
  registerEndpointRoutes(api, deps);
  registerProjectRoutes(api, deps);
  registerBatchRoutes(api, deps);
  registerImportRoutes(api, deps);
  registerPairRoutes(api, deps);
  registerReportRoutes(api, deps);
  registerReportHistoryRoutes(api, deps);
  registerEventRoutes(api, deps);
  registerCutoverRoutes(api, deps);
  registerCutoverPanelRoutes(api, deps);
  registerAdminClockRoutes(api, deps);

  await ensureBootstrapAdmin(deps);
  await app.ready();
  return app as unknown as FastifyInstance;
}
