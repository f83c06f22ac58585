/**
 * The OpenAPI document and the docs page: /openapi.json lists every registered API route (so a route
 * cannot be added undocumented), is valid OpenAPI 3, and the Swagger UI is served from the npm
 * package (no runtime download).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { registeredRoutes } from '../../src/api/app.ts';
import { startApiHarness, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;
before(async () => {
  h = await startApiHarness('api_openapi');
});
after(async () => {
  await h?.close();
});

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses?: Record<string, unknown>; summary?: string }>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
}

test('/openapi.json documents every registered route (docs pages aside)', async () => {
  const res = await h.as(null, { method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = JSON.parse(res.body) as OpenApiDoc;
  assert.match(doc.openapi, /^3\./);
  const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
  const missing = registeredRoutes(h.app)
    .filter((r) => !(r.url === '/docs' || r.url.startsWith('/docs/')) && r.url !== '/openapi.json' && r.url !== '/*') // '/*': the portal's catch-all (no wildcards in OpenAPI)
    .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`)
    .filter((key) => !documented.has(key));
  assert.deepEqual(missing, []);
  assert.ok(documented.size > 40, `${documented.size} operations`);
});

test('operations have summaries, error responses, and the security schemes', async () => {
  const doc = JSON.parse((await h.as(null, { method: 'GET', url: '/openapi.json' })).body) as OpenApiDoc;
  assert.ok(doc.components?.securitySchemes?.['bearerToken']);
  assert.ok(doc.components?.securitySchemes?.['sessionCookie']);
  assert.ok(doc.components?.schemas?.['Error'], 'the shared error schema');
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      assert.ok(op.summary, `${method} ${path} has a summary`);
      assert.ok(op.responses?.['4XX'], `${method} ${path} documents its errors`);
    }
  }
  assert.deepEqual(doc.paths['/healthz']?.['get']?.security, [], 'public routes say so');
  const endpoint = JSON.stringify(doc.components?.schemas?.['Endpoint'] ?? {});
  assert.ok(endpoint.includes('hasSecret') && !endpoint.includes('adminPassword'), 'the endpoint answer has no password field');
});

test('the Swagger UI page and its assets come from the package', async () => {
  const page = await h.as(null, { method: 'GET', url: '/docs/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /swagger-ui/i);
  assert.ok(!/https?:\/\/(unpkg|cdn)/.test(page.body), 'no CDN');
  const bundle = await h.as(null, { method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
  assert.equal(bundle.statusCode, 200);
  assert.ok(bundle.body.length > 100_000);
});
