/**
 * `cutover doctor` against a real Dovecot: directly with the connector (good password, wrong password,
 * master user), and `--project --csv` through a real `startApiServer` on PostgreSQL: one line per CSV
 * row with OK or the error code, rows needing the admin secret checked by the server.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startApiServer, type ApiServer } from '../../src/api/server.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createPool } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { jsonOf, runCli } from '../helpers/run-cli.ts';
import { recordingQueue } from './api-harness.ts';

const PW = { alice: 'alice-doctor-pw', bob: 'bob-doctor-pw', admin: 'admin-doctor-pw' };
let dovecot: DovecotInstance;
let dir: string;

before(async () => {
  dovecot = await startDovecot({ name: 'api-doctor', users: { alice: PW.alice, bob: PW.bob, carol: 'carol-doctor-pw', 'alice@new.test': 'x-new-alice', 'bob@new.test': 'x-new-bob' }, masterUsers: { admin: PW.admin } });
  dir = mkdtempSync(join(tmpdir(), 'cutover-doctor-'));
});
after(async () => {
  await dovecot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const side1 = (user: string, password: string): string[] => ['--host1', dovecot.host, '--port1', String(dovecot.port), '--user1', user, '--password1', password, '--nossl1', '--notls1'];

interface DoctorJson { ok: boolean; checks: Array<{ side: string; ok: boolean; capabilities: string[]; missing: string[]; error: { code: string } | null }> }

describe('cutover doctor, directly with the connector', () => {
  test('a good password: every step OK, the capabilities listed', async () => {
    const text = await runCli(['doctor', ...side1('alice', PW.alice)]);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.match(text.stdout, /OK\s+connect/);
    assert.match(text.stdout, /OK\s+login\s+logged in as alice/);
    assert.match(text.stdout, /UIDPLUS yes/);
    assert.match(text.stdout, /WARN\s+tls\s+plain text/);
    const json = jsonOf<DoctorJson>(await runCli(['doctor', '--json', ...side1('alice', PW.alice)]));
    assert.equal(json.ok, true);
    assert.ok(json.checks[0]?.capabilities.includes('CONDSTORE'));
  });

  test('a wrong password: the login step fails with IMAP_AUTH_FAILED and the exit code says authentication', async () => {
    const res = await runCli(['doctor', ...side1('alice', 'not-the-password')]);
    assert.equal(res.code, 161, res.stdout + res.stderr);
    assert.match(res.stdout, /FAIL\s+login\s+IMAP_AUTH_FAILED/);
    assert.ok(!res.stdout.includes('not-the-password') && !res.stderr.includes('not-the-password'));
  });

  test('master user: the admin acting as a user, and as one that does not exist', async () => {
    const master = (user: string): string[] => ['doctor', '--json', '--host2', dovecot.host, '--port2', String(dovecot.port), '--user2', user, '--authuser2', 'admin', '--master-separator2', '*', '--password2', PW.admin, '--nossl2', '--notls2'];
    const ok = jsonOf<DoctorJson>(await runCli(master('bob')));
    assert.deepEqual([ok.ok, ok.checks[0]?.side], [true, 'target']);
    const missing = await runCli(master('nobody'));
    assert.notEqual(missing.code, 0);
    assert.equal(jsonOf<DoctorJson>(missing).checks[0]?.ok, false);
  });

  test('no endpoint given is a usage error', async () => {
    const res = await runCli(['doctor']);
    assert.equal(res.code, 64);
    assert.match(res.stderr, /USAGE_INVALID/);
  });
});

describe('cutover doctor --project --csv through the API', () => {
  let db: TestDatabase;
  let server: ApiServer;
  let pool: ReturnType<typeof createPool>;
  let token: string;
  let projectId: string;

  before(async () => {
    db = await testDatabase('api_doctor');
    pool = createPool(db.url, { max: 4 });
    await migrate(pool);
    server = await startApiServer({
      pool, secretKey: randomBytes(32), queue: recordingQueue([]), logger: silentLogger(), clock: systemClock,
      bootstrapAdmin: { email: 'admin@cutover.test', password: 'bootstrap-password' },
    }, { host: '127.0.0.1', port: 0 });
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@cutover.test', password: 'bootstrap-password' }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const tok = await fetch(`${server.url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ name: 'doctor' }) });
    token = ((await tok.json()) as { token: string }).token;
    const api = async (path: string, body: unknown): Promise<{ id: string }> => {
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
      return (await res.json()) as { id: string };
    };
    const source = await api('/api/endpoints', { name: 'src', host: dovecot.host, port: dovecot.port, tls: 'none', authKind: 'password' });
    const target = await api('/api/endpoints', { name: 'dst', host: dovecot.host, port: dovecot.port, tls: 'none', authKind: 'master', adminUser: 'admin', adminPassword: PW.admin, masterMethod: 'separator', masterSeparator: '*' });
    projectId = (await api('/api/projects', { name: 'doctor', sourceEndpointId: source.id, targetEndpointId: target.id })).id;
  });
  after(async () => {
    await server?.close();
    await pool?.end();
    await db?.drop();
  });

  test('one line per row: OK, a wrong source password, a target user the admin cannot act as, a bad row', async () => {
    const file = join(dir, 'pairs.csv');
    writeFileSync(file, ['EmailAddress,UserName,Password', `alice@new.test,alice,${PW.alice}`, 'bob@new.test,bob,wrong-bob-password', 'nobody@new.test,carol,carol-doctor-pw', 'not an address,x,y'].join('\n'));
    const res = await runCli(['doctor', '--project', projectId, '--csv', file, '--url', server.url, '--token', token]);
    const lines = res.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^line 2 .*alice.* OK$/);
    assert.match(lines[1] ?? '', /^line 3 .*IMAP_AUTH_FAILED \(source\)/);
    assert.match(lines[2] ?? '', /^line 4 .*IMAP_AUTH(Z)?_FAILED \(target\)/);
    assert.match(lines[3] ?? '', /^line 5 .*CSV_ROW_INVALID/);
    assert.match(lines[4] ?? '', /4 rows: 1 OK, 3 failed/);
    assert.notEqual(res.code, 0);
    assert.ok(!res.stdout.includes('wrong-bob-password'));

    const json = jsonOf<{ failed: number; lines: Array<{ line: number; ok: boolean; code: string | null }> }>(
      await runCli(['doctor', '--json', '--project', projectId, '--csv', file], { CUTOVER_URL: server.url, CUTOVER_TOKEN: token }));
    assert.deepEqual(json.lines.map((l) => [l.line, l.ok]), [[2, true], [3, false], [4, false], [5, false]]);
  });

  test('the project endpoints through the API, and a missing token', async () => {
    const res = jsonOf<DoctorJson>(await runCli(['doctor', '--json', '--project', projectId, '--user1', 'alice', '--password1', PW.alice, '--user2', 'bob', '--url', server.url, '--token', token]));
    assert.deepEqual(res.checks.map((c) => [c.side, c.ok]), [['source', true], ['target', true]]);
    const anon = await runCli(['doctor', '--project', projectId, '--url', server.url], { CUTOVER_TOKEN: '' });
    assert.match(anon.stderr, /API_UNAUTHENTICATED/);
  });

  test('project and pair commands over the API: create, import (dry run, then for real), list, show, report, actions', async () => {
    const env = { CUTOVER_URL: server.url, CUTOVER_TOKEN: token };
    const created = jsonOf<{ id: string; name: string }>(await runCli(['project', 'create', 'cli project', '--json'], env));
    assert.equal(created.name, 'cli project');
    const listed = await runCli(['project', 'list'], env);
    assert.match(listed.stdout, /cli project/);
    const file = join(dir, 'wave.csv');
    writeFileSync(file, ['EmailAddress,UserName,Password', `alice@new.test,alice,${PW.alice}`, `bob@new.test,bob,${PW.bob}`].join('\n'));
    const dry = await runCli(['project', 'import', projectId, file, '--dry-run'], env);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /dry run \(m365\): 2 rows, 0 with errors; would create 2/);
    const real = jsonOf<{ imported: boolean; created: number }>(await runCli(['project', 'import', projectId, file, '--json'], env));
    assert.deepEqual([real.imported, real.created], [true, 2]);
    const pairs = jsonOf<{ pairs: Array<{ id: string }>; total: number }>(await runCli(['pair', 'list', projectId, '--json', '--sort', 'source'], env));
    assert.equal(pairs.total, 2);
    const id = pairs.pairs[0]?.id ?? '';
    const show = await runCli(['pair', 'show', id], env);
    assert.match(show.stdout, /alice@new\.test/);
    const paused = jsonOf<{ pair: { paused: boolean } }>(await runCli(['pair', 'pause', id, '--json'], env));
    assert.equal(paused.pair.paused, true);
    const refused = await runCli(['pair', 'delta', id], env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /PAIR_PAUSED/);
    const report = await runCli(['project', 'report', projectId, '--csv'], env);
    assert.match(report.stdout.split('\n')[0] ?? '', /pairId/);
    const start = await runCli(['project', 'start', projectId], env);
    assert.match(start.stdout, /started: \d+ passes queued/);
    const viewer = await runCli(['project', 'list'], { CUTOVER_URL: server.url, CUTOVER_TOKEN: 'cut_invalid' });
    assert.match(viewer.stderr, /API_UNAUTHENTICATED/);
  });
});
