/**
 * The cutover walk, end to end (issue 4 "must show"): `cutover serve --fake-clock` as a real process,
 * driven through its HTTP API and the admin clock, against real Dovecot (source, and a target whose
 * accounts the dovecot-passwd provider really creates), real dnsmasq, a real SMTP sink and PostgreSQL.
 * One project walks from draft to complete over 45 simulated days; a second one, whose TXT record
 * never appears, is held at T−48h. The server is killed with SIGKILL at three points and restarted;
 * it resumes where it was, no email is sent twice, no pass is doubled (target == source).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { verificationRecord } from '../../src/orchestrator/activities/dns.ts';
import { startDnsmasq, type DnsmasqInstance } from '../helpers/dnsmasq.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { compareMailboxes, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { collect, spawnCli, type CliResult } from '../helpers/run-cli.ts';
import { connectImap, seedMailbox } from '../helpers/seed-mailbox.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

const ADMIN = { email: 'admin@cutover.test', password: 'admin-password-for-tests' };
const START = new Date('2026-04-01T10:00:00Z');
const T = new Date('2026-05-16T10:00:00Z'); // 45 days after START
const H = 3_600_000;
const D = 24 * H;
const at = (offsetMs: number): string => new Date(T.getTime() + offsetMs).toISOString();
const LEGACY_MX = [{ host: 'mx.legacy.test', priority: 10 }];
const USERS = [{ user: 'ann', src: 'src-ann-pw', dst: 'dst-ann-pw' }, { user: 'ben', src: 'src-ben-pw', dst: 'dst-ben-pw' }];
const stateRoot = process.env['CUTOVER_TEST_STATE'] ?? resolve(import.meta.dirname, '../../.test-state');

let source: DovecotInstance;
let target: DovecotInstance;
let dns: DnsmasqInstance;
let sink: SmtpSink;
let database: TestDatabase;
let pool: pg.Pool;
let dir: string;
let serve: { child: ChildProcess; done: Promise<CliResult>; output: () => string } | undefined;
let url = '';
let cookie = '';
const env: NodeJS.ProcessEnv = {};

const message = (id: string, subject: string): Buffer => Buffer.from(
  `From: someone@elsewhere.test\r\nTo: ann@acme.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}@walk.test>\r\nDate: Fri, 01 May 2026 10:00:00 +0000\r\n\r\n${subject}\r\n`,
);

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, everyMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}\n${serve?.output().slice(-3000) ?? ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function startServe(): Promise<void> {
  const child = spawnCli(['serve', '--port', '0', '--fake-clock', START.toISOString(), '--data-dir', join(dir, 'data')], env);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  serve = { child, done: collect(child), output: () => out };
  url = await waitFor('serve to listen', () => {
    if (child.exitCode !== null) return Promise.reject(new Error(`serve exited:\n${out}`));
    return Promise.resolve(/Cutover is running at (http:\/\/\S+)/.exec(out)?.[1]);
  });
}

async function killServe(): Promise<void> {
  serve?.child.kill('SIGKILL');
  await serve?.done;
}

async function api<R>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: R }> {
  const res = await fetch(`${url}${path}`, {
    method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as R };
}
async function ok<R>(method: string, path: string, body?: unknown, contentType?: string): Promise<R> {
  const r = await api<R>(method, path, body, contentType);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
const setClock = (to: Date | string): Promise<unknown> => ok('POST', '/api/admin/clock', { setTo: new Date(to).toISOString() });
const status = async (id: string): Promise<string> => (await ok<{ status: string }>('GET', `/api/projects/${id}/flow`)).status;
const waitStatus = (id: string, want: string, timeoutMs = 60_000): Promise<string> => waitFor(`project ${id} to be ${want}`, async () => ((await status(id)) === want ? want : null), timeoutMs);

/** Passes of `kind` of the project, with their (fake) start times. */
async function passes(projectId: string, kind: string): Promise<Array<{ pair: string; startedAt: Date; status: string; copied: number }>> {
  const { rows } = await pool.query<{ pair_id: string; started_at: Date; status: string; copied: string | null }>(
    `SELECT ps.pair_id, ps.started_at, ps.status, ps.counts->>'copied' AS copied FROM passes ps JOIN pairs p ON p.id = ps.pair_id
      WHERE p.project_id = $1 AND ps.kind = $2 ORDER BY ps.started_at, ps.pair_id`, [projectId, kind]);
  return rows.map((r) => ({ pair: String(r.pair_id), startedAt: r.started_at, status: r.status, copied: Number(r.copied ?? 0) }));
}
/** Waits until every pair has a completed pass of `kind` started at `when` and none is queued or running. */
function roundDone(projectId: string, kind: string, when: string): Promise<boolean> {
  return waitFor(`${kind} round at ${when}`, async () => {
    const done = (await passes(projectId, kind)).filter((p) => p.startedAt.toISOString() === when && p.status.startsWith('completed'));
    const { rows } = await pool.query(`SELECT 1 FROM pairs WHERE project_id = $1 AND state IN ('queued', 'running')`, [projectId]);
    return done.length === USERS.length && rows.length === 0;
  }, 90_000);
}

before(async () => {
  mkdirSync(stateRoot, { recursive: true });
  dir = mkdtempSync(join(stateRoot, 'cutover-walk-'));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'home'), { mode: 0o755 });
  chmodSync(join(dir, 'home'), 0o755);
  [source, target, dns, sink, database] = await Promise.all([
    startDovecot({ name: 'walk-src', users: Object.fromEntries(USERS.map((u) => [u.user, u.src])) }),
    startDovecot({ name: 'walk-dst', users: {}, usersFile: join(dir, 'users') }),
    startDnsmasq({ zones: ['acme.test', 'beta.test'], records: { mx: { 'acme.test': LEGACY_MX, 'beta.test': LEGACY_MX } }, ttl: 300 }),
    startSmtpSink(),
    testDatabase('cutover_walk'),
  ]);
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  for (const [i, u] of USERS.entries()) {
    await seedMailbox({ host: source.host, port: source.port, user: u.user, password: u.src }, [
      { path: 'INBOX', messages: [0, 1, 2].map((k) => ({ raw: message(`seed-${u.user}-${k}`, `old mail ${i}.${k}`) })) },
      { path: 'Archive/2025', messages: [{ raw: message(`seed-${u.user}-arch`, 'archived') }] },
    ]);
  }
  Object.assign(env, {
    DATABASE_URL: database.url, CUTOVER_SECRET_KEY: randomBytes(32).toString('base64'), CUTOVER_LOG_LEVEL: 'info',
    CUTOVER_ADMIN_EMAIL: ADMIN.email, CUTOVER_ADMIN_PASSWORD: ADMIN.password,
    CUTOVER_SMTP_HOST: '127.0.0.1', CUTOVER_SMTP_PORT: String(sink.port), CUTOVER_SMTP_TLS: 'none', CUTOVER_SMTP_FROM: 'cutover@msp.test',
    CUTOVER_DNS_SERVERS: dns.server, CUTOVER_RECONCILE_INTERVAL_SECONDS: '0.3',
    CUTOVER_SUPERVISE_SECONDS: '1', CUTOVER_JOB_HEARTBEAT_SECONDS: '10',
  });
});

after(async () => {
  if (serve && serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
  await serve?.done;
  await pool?.end();
  await Promise.all([source?.stop(), target?.stop(), dns?.stop(), sink?.stop()]);
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('a project walks from draft to complete over 45 fake days; a second is held at T−48h; SIGKILL-safe', { timeout: 240_000 }, async (t) => {
  const t0 = Date.now();
  const step = (what: string): void => t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  await startServe();
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  assert.equal(login.status, 200);
  cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.equal((await ok<{ now: string }>('GET', '/api/admin/clock')).now, START.toISOString());

  // --- two projects through the API
  const endpoint = (name: string, port: number) => ({ name, host: '127.0.0.1', port, tls: 'none', tlsVerify: false, authKind: 'password', maxConnections: 10 });
  const src = await ok<{ id: string }>('POST', '/api/endpoints', endpoint('legacy', source.port));
  const dst = await ok<{ id: string }>('POST', '/api/endpoints', endpoint('new', target.port));
  const settings = {
    contactEmail: 'partner@msp.test', targetMxHosts: ['mx.target.test'], quietPeriodHours: 48,
    // Dovecot's auth process reads the file as another user.
    provider: { kind: 'dovecot-passwd', usersFile: join(dir, 'users'), homeRoot: join(dir, 'home'), fileMode: 0o644 },
  };
  const a = await ok<{ id: string }>('POST', '/api/projects', { name: 'acme', sourceEndpointId: src.id, targetEndpointId: dst.id, domains: ['acme.test'], timeZone: 'Europe/Berlin', settings });
  const csv = ['Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags',
    ...USERS.map((u) => `${u.user}@acme.test,${u.user},${u.src},${u.user}@acme.test,${u.user},${u.dst},`)].join('\n') + '\n';
  const imported = await ok<{ created: number }>('POST', `/api/projects/${a.id}/import?batch=all`, csv, 'text/csv');
  assert.equal(imported.created, USERS.length);
  const b = await ok<{ id: string }>('POST', '/api/projects', { name: 'beta', domains: ['beta.test'], settings: { contactEmail: 'beta@msp.test', targetMxHosts: ['mx.target.test'] } });

  // --- place both: draft → provisioning → … → domain_verification (accounts really created)
  const placedA = await ok<{ verificationToken: string }>('POST', `/api/projects/${a.id}/place`, { cutoverAt: T.toISOString() });
  await ok('POST', `/api/projects/${b.id}/place`, { cutoverAt: T.toISOString() });
  await waitStatus(a.id, 'domain_verification');
  await waitStatus(b.id, 'domain_verification');
  step('both placed, in domain_verification');

  // --- the TXT record appears for acme only; the next re-check (15 min) verifies it
  await dns.setRecords({ mx: { 'acme.test': LEGACY_MX, 'beta.test': LEGACY_MX }, txt: { 'acme.test': [verificationRecord(placedA.verificationToken)] } });
  await setClock(new Date(START.getTime() + 16 * 60_000));
  await waitStatus(a.id, 'waiting_for_cutover');
  assert.equal(await status(b.id), 'domain_verification');
  // creating_mailboxes: the dovecot-passwd provider really created the target accounts.
  const accounts = await pool.query<{ target_user: string; status: string }>('SELECT target_user, status FROM provider_accounts ORDER BY target_user');
  assert.deepEqual(accounts.rows.map((r) => `${r.target_user}:${r.status}`), ['ann:ready', 'ben:ready']);
  await waitFor('full passes', async () => (await passes(a.id, 'full')).filter((p) => p.status === 'completed').length === USERS.length, 90_000);
  step('acme verified; full passes done');

  // --- resyncs at T−20d and T−10d (a SIGKILL between them)
  await setClock(at(-20 * D));
  await roundDone(a.id, 'resync', at(-20 * D));
  await killServe();
  step('SIGKILL #1 after the T−20d resync');
  await startServe();
  await setClock(at(-10 * D));
  await roundDone(a.id, 'resync', at(-10 * D));
  step('T−10d resync done');

  // --- T−48h: beta still unverified → on hold with an alert
  await setClock(at(-48 * H));
  await waitStatus(b.id, 'on_hold');
  const alertsB = await ok<{ alerts: Array<{ kind: string }> }>('GET', `/api/projects/${b.id}/alerts`);
  assert.ok(alertsB.alerts.some((x) => x.kind === 'domain_unverified'), JSON.stringify(alertsB));
  await setClock(at(-42 * H));
  await roundDone(a.id, 'resync', at(-42 * H));
  assert.deepEqual([...new Set((await passes(a.id, 'resync')).map((p) => p.startedAt.toISOString()))], [at(-20 * D), at(-10 * D), at(-42 * H)]);
  step('beta held; T−42h resync done');

  // --- settings frozen from T−4h
  const before4h = await api('PATCH', `/api/projects/${a.id}`, { settings: { ...settings, quietPeriodHours: 48 } });
  assert.equal(before4h.status, 200);
  await setClock(at(-4 * H));
  const frozen = await api<{ code: string }>('PATCH', `/api/projects/${a.id}`, { settings: { ...settings, quietPeriodHours: 24 } });
  assert.equal(frozen.status, 409);
  assert.equal(frozen.body.code, 'PROJECT_SETTINGS_FROZEN');

  // --- T: switching_mx; the MX moves in dnsmasq; final passes; sweeping (SIGKILL right after T)
  await setClock(T);
  await waitStatus(a.id, 'switching_mx');
  await killServe();
  step('SIGKILL #2 in switching_mx');
  await startServe();
  await dns.setRecords({ mx: { 'acme.test': [{ host: 'mx.target.test', priority: 10 }], 'beta.test': LEGACY_MX }, txt: { 'acme.test': [verificationRecord(placedA.verificationToken)] } });
  await setClock(at(2 * 60_000));
  await roundDone(a.id, 'final', at(2 * 60_000));
  await waitStatus(a.id, 'sweeping');
  step('MX switch detected, final passes done');

  // --- mail reaches the source after T: a sweep takes it; it delays completion
  await setClock(at(4 * D + 22 * H));
  await waitFor('the sweep round', async () => (await passes(a.id, 'sweep')).some((p) => p.startedAt.toISOString() === at(4 * D + 22 * H)));
  await roundDone(a.id, 'sweep', at(4 * D + 22 * H));
  const ann = { host: source.host, port: source.port, user: 'ann', password: 'src-ann-pw' };
  const client = await connectImap(ann);
  await client.append('INBOX', message('late-1', 'arrived after the cutover'));
  await client.logout();
  await setClock(at(5 * D + 1 * H));
  await roundDone(a.id, 'sweep', at(5 * D + 1 * H));
  assert.ok((await passes(a.id, 'sweep')).some((p) => p.startedAt.toISOString() === at(5 * D + 1 * H) && p.copied === 1));
  await killServe();
  step('SIGKILL #3 after the late mail was swept');
  await startServe();
  await setClock(at(5 * D + 2 * H));
  assert.equal(await status(a.id), 'sweeping', 'not complete: the source was not quiet for 48 h');
  await setClock(at(7 * D + 2 * H));
  await waitStatus(a.id, 'complete', 90_000);
  step('complete');

  // --- the target equals the source (nothing doubled, the late mail arrived)
  for (const u of USERS) {
    const s = await snapshotMailbox({ host: source.host, port: source.port, user: u.user, password: u.src });
    const d = await snapshotMailbox({ host: target.host, port: target.port, user: u.user, password: u.dst });
    const cmp = compareMailboxes(s, d);
    assert.deepEqual([cmp.missing.length, cmp.extra.length], [0, 0], `${u.user}: ${JSON.stringify({ missing: cmp.missing.slice(0, 3), extra: cmp.extra.slice(0, 3) })}`);
  }

  // --- the emails: each once, the expected ones there
  await waitFor('the outbox to drain', async () => {
    const { rows } = await pool.query(`SELECT 1 FROM notification_outbox WHERE status IN ('pending', 'sending')`);
    return rows.length === 0;
  });
  const ids = sink.received.map((m) => m.messageId);
  assert.equal(new Set(ids).size, ids.length, `an email was sent twice: ${ids.join(', ')}`);
  const { rows: outbox } = await pool.query<{ project_id: string; notification: string; recipient: string; status: string }>('SELECT project_id, notification, recipient, status FROM notification_outbox ORDER BY id');
  assert.ok(outbox.every((r) => r.status === 'sent'), JSON.stringify(outbox));
  assert.equal(sink.received.length, outbox.length);
  const got = (project: string): string[] => outbox.filter((r) => String(r.project_id) === project).map((r) => `${r.notification}→${r.recipient}`);
  for (const want of ['txt_instructions→partner@msp.test', 'dns_change→partner@msp.test', 'all_passes_done→partner@msp.test',
    'switch_coming→ann@acme.test', 'switch_coming→ben@acme.test', 'switch_done→ann@acme.test', 'switch_done→ben@acme.test']) {
    assert.ok(got(a.id).includes(want), `${want} missing: ${got(a.id).join(', ')}`);
  }
  assert.ok(got(b.id).includes('txt_instructions→beta@msp.test'));
  step(`done; emails: ${got(a.id).join(', ')}`);
});
