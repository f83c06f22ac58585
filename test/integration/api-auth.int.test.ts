/**
 * API auth against a real PostgreSQL: every route needs credentials (walking the registered routes,
 * so a route added without auth fails here), a viewer can change nothing, operator vs admin, API
 * tokens (shown once, stored hashed, revocable), login sessions (cookie flags, logout, disabled users).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registeredRoutes } from '../../src/api/app.ts';
import { hashToken } from '../../src/api/auth/secret-tokens.ts';
import { concreteUrl, startApiHarness, type ApiHarness } from './api-harness.ts';

let h: ApiHarness;

before(async () => {
  h = await startApiHarness('api_auth');
});
after(async () => {
  await h?.close();
});

/** Routes that need no credentials, and why. Adding one here is a deliberate security decision. */
const PUBLIC_ROUTES = new Set([
  'GET /healthz', // load balancers
  'POST /api/auth/login', // how one gets a session
  'GET /', // the portal (src/api/portal.ts): static files, no data
  'GET /*', // the portal's assets and deep links; unknown /api/ paths inside it still need credentials
  'GET /openapi.json', // the API description (the docs)
]);
const isDocs = (url: string): boolean => url === '/docs' || url.startsWith('/docs/');

function body(res: { body: string }): Record<string, unknown> {
  return JSON.parse(res.body) as Record<string, unknown>;
}

describe('every route needs auth', () => {
  test('the only public routes are health, login, the portal files and the docs', () => {
    const routes = registeredRoutes(h.app);
    assert.ok(routes.length > 40, `expected the full API, got ${routes.length} routes`);
    const publicRoutes = routes.filter((r) => r.access === 'public' && !isDocs(r.url)).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(new Set(publicRoutes), PUBLIC_ROUTES);
  });

  test('without credentials every other route answers 401 API_UNAUTHENTICATED', async () => {
    const checked: string[] = [];
    for (const route of registeredRoutes(h.app)) {
      const key = `${route.method} ${route.url}`;
      if (PUBLIC_ROUTES.has(key) || isDocs(route.url)) continue;
      const res = await h.as(null, { method: route.method, url: concreteUrl(route.url), payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
      assert.equal(res.statusCode, 401, `${key} answered ${res.statusCode}: ${res.body}`);
      assert.equal(body(res)['code'], 'API_UNAUTHENTICATED', key);
      checked.push(key);
    }
    assert.ok(checked.length > 35);
  });

  test('public routes answer without credentials', async () => {
    assert.equal((await h.as(null, { method: 'GET', url: '/healthz' })).statusCode, 200);
    assert.equal((await h.as(null, { method: 'GET', url: '/openapi.json' })).statusCode, 200);
    const portal = await h.as(null, { method: 'GET', url: '/' });
    assert.equal(portal.statusCode, 200);
    // The built portal (web/dist), or the page saying how to build it: either way static HTML, no data.
    assert.match(portal.body, /id="root"|npm run build:web/);
    const deepLink = await h.as(null, { method: 'GET', url: '/projects/1/mailboxes?pair=2' });
    assert.equal(deepLink.statusCode, 200);
    assert.equal(deepLink.body, portal.body, 'deep links load the same app page');
    assert.equal((await h.as(null, { method: 'GET', url: '/assets/missing-bundle.js' })).statusCode, 404);
    assert.equal((await h.as(null, { method: 'GET', url: '/docs' })).statusCode < 400, true);
  });

  test('unknown URLs need auth too, then answer 404 API_NOT_FOUND', async () => {
    assert.equal((await h.as(null, { method: 'GET', url: '/api/nothing-here' })).statusCode, 401);
    assert.equal((await h.as(null, { method: 'POST', url: '/nothing-here' })).statusCode, 401);
    const res = await h.as('viewer', { method: 'GET', url: '/api/nothing-here' });
    assert.equal(res.statusCode, 404);
    assert.equal(body(res)['code'], 'API_NOT_FOUND');
  });

  test('a wrong, malformed or non-cut_ bearer token is 401, even with a valid session cookie', async () => {
    for (const authorization of ['Bearer cut_wrong', 'Bearer something', 'Basic YWRtaW46YWRtaW4=', 'Bearer']) {
      const res = await h.app.inject({ method: 'GET', url: '/api/projects', headers: { authorization } });
      assert.equal(res.statusCode, 401, authorization);
    }
    const garbageCookie = await h.app.inject({ method: 'GET', url: '/api/projects', cookies: { cutover_session: 'forged' } });
    assert.equal(garbageCookie.statusCode, 401);
  });
});

describe('roles', () => {
  test('a viewer can change nothing: every non-GET route is 403 API_FORBIDDEN', async () => {
    const checked: string[] = [];
    for (const route of registeredRoutes(h.app)) {
      if (route.method === 'GET' || route.access === 'public' || isDocs(route.url)) continue;
      const key = `${route.method} ${route.url}`;
      if (key === 'POST /api/auth/logout') continue; // ends the viewer's own session only
      const res = await h.as('viewer', { method: route.method, url: concreteUrl(route.url), payload: route.method === 'DELETE' ? undefined : {} });
      assert.equal(res.statusCode, 403, `${key} answered ${res.statusCode}: ${res.body}`);
      assert.equal(body(res)['code'], 'API_FORBIDDEN');
      checked.push(key);
    }
    assert.ok(checked.length > 20, `checked ${checked.length}`);
  });

  test('a viewer reads projects but not users or tokens', async () => {
    assert.equal((await h.as('viewer', { method: 'GET', url: '/api/projects' })).statusCode, 200);
    assert.equal((await h.as('viewer', { method: 'GET', url: '/api/endpoints' })).statusCode, 200);
    assert.equal((await h.as('viewer', { method: 'GET', url: '/api/users' })).statusCode, 403);
    assert.equal((await h.as('viewer', { method: 'GET', url: '/api/tokens' })).statusCode, 403);
  });

  test('an operator runs and changes projects but manages no users or tokens', async () => {
    const created = await h.as('operator', { method: 'POST', url: '/api/projects', payload: { name: 'operator project' } });
    assert.equal(created.statusCode, 201, created.body);
    const id = body(created)['id'] as string;
    const patched = await h.as('operator', { method: 'PATCH', url: `/api/projects/${id}`, payload: { timeZone: 'Europe/Berlin' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(body(patched)['timeZone'], 'Europe/Berlin');
    for (const [method, url] of [['GET', '/api/users'], ['POST', '/api/users'], ['GET', '/api/tokens'], ['POST', '/api/tokens'], ['DELETE', '/api/tokens/1'], ['PATCH', '/api/users/1']] as const) {
      const res = await h.as('operator', { method, url, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
      assert.equal(res.statusCode, 403, `${method} ${url}`);
    }
  });

  test('an admin manages users: create, duplicate email, change role, disable', async () => {
    const create = await h.as('admin', { method: 'POST', url: '/api/users', payload: { email: 'Carol@Cutover.test', role: 'viewer', password: 'carol-long-password' } });
    assert.equal(create.statusCode, 201, create.body);
    const carol = body(create);
    assert.equal(carol['email'], 'carol@cutover.test');
    assert.ok(!create.body.includes('password'), 'no password field in the answer');
    const dup = await h.as('admin', { method: 'POST', url: '/api/users', payload: { email: 'carol@cutover.test', role: 'viewer', password: 'another-password' } });
    assert.equal(dup.statusCode, 409);
    assert.equal(body(dup)['code'], 'API_CONFLICT');
    const short = await h.as('admin', { method: 'POST', url: '/api/users', payload: { email: 'dave@cutover.test', role: 'viewer', password: 'short' } });
    assert.equal(short.statusCode, 400);
    assert.equal(body(short)['code'], 'API_VALIDATION_FAILED');
    const promoted = await h.as('admin', { method: 'PATCH', url: `/api/users/${String(carol['id'])}`, payload: { role: 'operator' } });
    assert.equal(body(promoted)['role'], 'operator');
    const list = await h.as('admin', { method: 'GET', url: '/api/users' });
    assert.equal((body(list)['users'] as unknown[]).length, 4);
  });
});

describe('API tokens', () => {
  test('a token is shown once, stored as sha256 with a display prefix, and works until revoked', async () => {
    const created = await h.as('admin', { method: 'POST', url: '/api/tokens', payload: { name: 'ci', userId: h.users.operator.id } });
    assert.equal(created.statusCode, 201, created.body);
    const { token, id, prefix } = body(created) as { token: string; id: string; prefix: string };
    assert.match(token, /^cut_[A-Za-z0-9_-]{43}$/);
    assert.equal(prefix, token.slice(0, 12));

    const { rows } = await h.pool.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE id = $1', [id]);
    assert.equal(rows[0]?.token_hash, hashToken(token));
    const dump = await h.pool.query('SELECT * FROM api_tokens');
    assert.ok(!JSON.stringify(dump.rows).includes(token), 'the token itself is not stored');

    const list = await h.as('admin', { method: 'GET', url: '/api/tokens' });
    assert.ok(!list.body.includes(token), 'the list never shows a token');
    assert.ok(!list.body.includes(hashToken(token)), 'nor its hash');
    assert.ok(list.body.includes(prefix));

    const me = await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.statusCode, 200);
    assert.deepEqual([body(me)['role'], body(me)['authenticatedBy']], ['operator', 'token']);

    const revoked = await h.as('admin', { method: 'DELETE', url: `/api/tokens/${id}` });
    assert.equal(revoked.statusCode, 200);
    assert.notEqual(body(revoked)['revokedAt'], null);
    const after = await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal(after.statusCode, 401);
    assert.equal((await h.as('admin', { method: 'DELETE', url: '/api/tokens/999999' })).statusCode, 404);
  });
});

describe('login sessions', () => {
  test('wrong password and unknown user are the same 401 API_LOGIN_FAILED', async () => {
    for (const payload of [{ email: 'viewer@cutover.test', password: 'wrong' }, { email: 'nobody@cutover.test', password: 'wrong' }]) {
      const res = await h.as(null, { method: 'POST', url: '/api/auth/login', payload });
      assert.equal(res.statusCode, 401);
      assert.equal(body(res)['code'], 'API_LOGIN_FAILED');
      assert.equal(res.cookies.length, 0);
    }
  });

  test('login sets an HttpOnly SameSite=Strict cookie; me works with it; logout ends it', async () => {
    const login = await h.as(null, { method: 'POST', url: '/api/auth/login', payload: { email: 'VIEWER@cutover.test', password: h.users.viewer.password } });
    assert.equal(login.statusCode, 200, login.body);
    const header = String(login.headers['set-cookie']);
    assert.match(header, /cutover_session=/);
    assert.match(header, /HttpOnly/i);
    assert.match(header, /SameSite=Strict/i);
    assert.match(header, /Path=\//);
    const cookie = login.cookies.find((c) => c.name === 'cutover_session')?.value ?? '';
    const { rows } = await h.pool.query<{ token_hash: string }>('SELECT token_hash FROM login_sessions');
    assert.ok(rows.some((r) => r.token_hash === hashToken(cookie)), 'stored by hash');
    assert.ok(!rows.some((r) => r.token_hash === cookie), 'not in clear');

    const me = await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { cutover_session: cookie } });
    assert.equal(me.statusCode, 200);
    assert.deepEqual([body(me)['email'], body(me)['authenticatedBy']], ['viewer@cutover.test', 'session']);

    const logout = await h.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { cutover_session: cookie } });
    assert.equal(logout.statusCode, 200);
    const again = await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { cutover_session: cookie } });
    assert.equal(again.statusCode, 401);
  });

  test('a disabled user can neither log in nor use their session or token', async () => {
    const create = await h.as('admin', { method: 'POST', url: '/api/users', payload: { email: 'erin@cutover.test', role: 'operator', password: 'erin-long-password' } });
    const erin = body(create) as { id: string };
    const login = await h.as(null, { method: 'POST', url: '/api/auth/login', payload: { email: 'erin@cutover.test', password: 'erin-long-password' } });
    const cookie = login.cookies.find((c) => c.name === 'cutover_session')?.value ?? '';
    const tok = body(await h.as('admin', { method: 'POST', url: '/api/tokens', payload: { name: 'erin', userId: erin.id } })) as { token: string };
    await h.as('admin', { method: 'PATCH', url: `/api/users/${erin.id}`, payload: { disabled: true } });
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/auth/me', cookies: { cutover_session: cookie } })).statusCode, 401);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${tok.token}` } })).statusCode, 401);
    const relogin = await h.as(null, { method: 'POST', url: '/api/auth/login', payload: { email: 'erin@cutover.test', password: 'erin-long-password' } });
    assert.equal(relogin.statusCode, 401);
  });

  test('the bootstrap admin is created only once, when no user exists', async () => {
    const { rows } = await h.pool.query<{ n: string }>(`SELECT count(*) AS n FROM users WHERE role = 'admin'`);
    assert.equal(Number(rows[0]?.n), 1);
  });
});

describe('errors', () => {
  test('validation errors carry a code and the failing paths', async () => {
    const res = await h.as('operator', { method: 'POST', url: '/api/projects', payload: { name: 42 } });
    assert.equal(res.statusCode, 400);
    const b = body(res) as { code: string; details: { issues: Array<{ path: string }> }; hint: string };
    assert.equal(b.code, 'API_VALIDATION_FAILED');
    assert.ok(b.details.issues.some((i) => i.path.includes('name')), JSON.stringify(b));
    const badId = await h.as('viewer', { method: 'GET', url: '/api/projects/abc' });
    assert.equal(badId.statusCode, 400);
    const missing = await h.as('viewer', { method: 'GET', url: '/api/projects/987654' });
    assert.equal(missing.statusCode, 404);
    assert.equal(body(missing)['code'], 'PROJECT_NOT_FOUND');
    const badJson = await h.as('operator', { method: 'POST', url: '/api/projects', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    assert.equal(badJson.statusCode, 400);
    assert.equal(body(badJson)['code'], 'API_VALIDATION_FAILED');
  });
});
