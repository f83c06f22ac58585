/**
 * Secrets never leave: a full API flow against real PostgreSQL and Dovecot — endpoints with an admin
 * (master) password, a changed password, "test connection" with good and wrong passwords, CSV imports
 * with passwords (preview, bad rows, import), pair actions, every GET route read back (JSON and CSV) —
 * with every log line captured at trace level. Then every response and every log line is searched for
 * each password, each API token and each sealed blob: none may appear.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { registeredRoutes } from '../../src/api/app.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { startApiHarness, type ApiHarness } from './api-harness.ts';

const secret = (label: string): string => `${label}-${randomBytes(9).toString('base64url')}`;
const PW = {
  alice: secret('alicePw'), bob: secret('bobPw'), carol: secret('carolPw'),
  admin: secret('masterPw'), adminNew: secret('masterPw2'), wrong: secret('wrongPw'), badRow: secret('badRowPw'),
};

let dovecot: DovecotInstance;
let h: ApiHarness;
const responses: Array<{ what: string; body: string }> = [];

function record(what: string, res: LightMyRequestResponse): LightMyRequestResponse {
  responses.push({ what, body: `${JSON.stringify(res.headers)}\n${res.body}` });
  return res;
}
const json = (res: LightMyRequestResponse): Record<string, unknown> => JSON.parse(res.body) as Record<string, unknown>;

before(async () => {
  dovecot = await startDovecot({ name: 'api-secrets', users: { alice: PW.alice, bob: PW.bob, carol: PW.carol }, masterUsers: { admin: PW.admin } });
  h = await startApiHarness('api_secrets');
});
after(async () => {
  await h?.close();
  await dovecot?.stop();
});

test('a full API flow never returns or logs a password, token or sealed secret', async () => {
  const op = async (what: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse> =>
    record(what, await h.as('operator', { method, url, ...(payload === undefined ? {} : { payload: payload as string }), ...(headers ? { headers } : {}) }));

  // Endpoints: per-user passwords at the source, an admin (master) user at the target.
  const source = json(await op('create source', 'POST', '/api/endpoints', { name: 'legacy', host: dovecot.host, port: dovecot.port, tls: 'none', authKind: 'password' }));
  const target = json(await op('create target', 'POST', '/api/endpoints', {
    name: 'new', host: dovecot.host, port: dovecot.port, tls: 'none', authKind: 'master', adminUser: 'admin', adminPassword: PW.adminNew,
    masterMethod: 'separator', masterSeparator: '*',
  }));
  assert.equal(target['hasSecret'], true);
  const changed = await op('change target password', 'PATCH', `/api/endpoints/${String(target['id'])}`, { adminPassword: PW.admin });
  assert.equal(changed.statusCode, 200, changed.body);

  // Test connection: good and wrong passwords, the admin acting as a user.
  const good = json(await op('test source', 'POST', `/api/endpoints/${String(source['id'])}/test`, { user: 'alice', password: PW.alice }));
  assert.equal(good['ok'], true, JSON.stringify(good));
  assert.ok((good['capabilities'] as string[]).includes('IMAP4REV1'));
  const wrong = json(await op('test source wrong', 'POST', `/api/endpoints/${String(source['id'])}/test`, { user: 'alice', password: PW.wrong }));
  assert.deepEqual([wrong['ok'], (wrong['error'] as { code: string }).code], [false, 'IMAP_AUTH_FAILED']);
  const master = json(await op('test target', 'POST', `/api/endpoints/${String(target['id'])}/test`, { user: 'bob' }));
  assert.equal(master['ok'], true, JSON.stringify(master));

  // A project and its CSV (Microsoft 365 form: source passwords per row, admin access at the target).
  const project = json(await op('create project', 'POST', '/api/projects', { name: 'Secrets', sourceEndpointId: source['id'], targetEndpointId: target['id'] }));
  const pid = String(project['id']);
  const csv = ['EmailAddress,UserName,Password', `alice@new.test,alice,${PW.alice}`, `bob@new.test,bob,${PW.bob}`, `carol@new.test,carol,${PW.carol}`].join('\n');
  const badCsv = `${csv}\nnot an address,dave,${PW.badRow}\nerin@new.test,,${PW.badRow}\n`;
  const preview = json(await op('preview', 'POST', `/api/projects/${pid}/import?dryRun=true`, badCsv, { 'content-type': 'text/csv' }));
  assert.equal((preview['errors'] as unknown[]).length, 2);
  const imported = json(await op('import', 'POST', `/api/projects/${pid}/import?batch=all`, { csv }));
  assert.deepEqual([imported['imported'], imported['created']], [true, 3], JSON.stringify(imported));
  await op('import again with bad rows', 'POST', `/api/projects/${pid}/import?importValidRows=true`, { csv: badCsv });

  // Actions, then read back every GET route with real ids (JSON and CSV where offered).
  const pairs = json(await op('pairs', 'GET', `/api/projects/${pid}/pairs`))['pairs'] as Array<{ id: string }>;
  const pairId = pairs[0]?.id ?? '';
  await op('full', 'POST', `/api/pairs/${pairId}/full`);
  await op('start', 'POST', `/api/projects/${pid}/start`, {});
  const ids: Record<string, string> = { projects: pid, pairs: pairId, endpoints: String(target['id']), users: h.users.operator.id };
  for (const route of registeredRoutes(h.app)) {
    // /api/events is a server-sent-events stream: it never ends, so inject() would wait forever.
    if (route.method !== 'GET' || route.url.startsWith('/docs') || route.url === '/api/events') continue;
    const url = route.url.replace(/\/api\/(\w+)\/:id/, (_m, kind: string) => `/api/${kind}/${ids[kind] ?? '1'}`);
    const res = record(`GET ${route.url}`, await h.as('admin', { method: 'GET', url }));
    assert.ok(res.statusCode < 500, `${url}: ${res.statusCode} ${res.body}`);
    if (res.statusCode === 200 && route.url.includes(':id/') && /report|failed-items/.test(route.url)) {
      record(`GET ${route.url} csv`, await h.as('admin', { method: 'GET', url: `${url}?format=csv` }));
    }
  }

  // The haystack: every response and every log line. The needles: passwords, tokens, sealed blobs.
  const { rows: sealed } = await h.pool.query<{ blob: Buffer }>(
    `SELECT secret_sealed AS blob FROM endpoints WHERE secret_sealed IS NOT NULL
     UNION ALL SELECT source_secret_sealed FROM pairs WHERE source_secret_sealed IS NOT NULL
     UNION ALL SELECT target_secret_sealed FROM pairs WHERE target_secret_sealed IS NOT NULL`,
  );
  assert.ok(sealed.length >= 4, 'the endpoint secret and the pair passwords are stored sealed');
  const needles = [
    ...Object.entries(PW).map(([k, v]) => [`password ${k}`, v] as const),
    ...Object.entries(h.users).map(([role, u]) => [`${role} API token`, u.token] as const),
    ...sealed.flatMap((r, i) => [[`sealed blob ${i} (base64)`, r.blob.toString('base64')] as const, [`sealed blob ${i} (hex)`, r.blob.toString('hex')] as const]),
  ];
  const logs = h.logs.join('');
  assert.ok(h.logs.length > 100, `logs were captured (${h.logs.length} lines)`);
  assert.match(logs, /incoming request/);
  assert.match(logs, /imapflow/, 'ImapFlow logged its IMAP exchange at trace level');
  const leaks: string[] = [];
  for (const [name, needle] of needles) {
    if (logs.includes(needle)) leaks.push(`${name} in the logs`);
    for (const r of responses) if (r.body.includes(needle)) leaks.push(`${name} in the response to ${r.what}`);
  }
  assert.deepEqual(leaks, []);
  assert.ok(responses.length > 30, `${responses.length} responses checked`);
});
