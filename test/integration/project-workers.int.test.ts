/**
 * Projects at scale, end to end: a project of 50 mailbox pairs between two Dovecot servers, created
 * through the HTTP API of `cutover serve`, run by `serve` plus two `cutover worker` processes on one
 * PostgreSQL. One worker is killed with SIGKILL mid-way, the other stopped with SIGTERM later; their
 * passes are finished by the remaining processes. Then: every pair completed, the target equals the
 * source for every pair (content multiset per folder: nothing lost, nothing doubled), the passes ran
 * on all three processes, and the source server never saw more connections at once than the source
 * endpoint's cap (counted by a TCP proxy in front of it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { corpusAsFolders, seedMailbox, type SeedFolder } from '../helpers/seed-mailbox.ts';
import { compareMailboxes, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { collect, spawnCli, type CliResult } from '../helpers/run-cli.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');
const PAIRS = 50;
/** Connection cap of the source endpoint: far below what 3 processes × 3 passes × 2 lanes would open. */
const SOURCE_CAP = 5;
const ADMIN = { email: 'admin@cutover.test', password: 'admin-password-for-tests' };

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  output(): string;
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawnCli(args, env);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return { name, child, done: collect(child), output: () => out };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The corpus spread over the users: each message lands in PAIRS/5 mailboxes, each mailbox holds a fifth. */
function mailboxFor(index: number, corpus: readonly SeedFolder[]): SeedFolder[] {
  let k = 0;
  const folders: SeedFolder[] = [];
  for (const folder of corpus) {
    const messages = folder.messages.filter(() => k++ % 5 === index % 5);
    folders.push({ path: folder.path, messages });
  }
  return folders;
}

describe('a 50-pair project on serve + 2 workers', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let proxy: FaultProxy;
  let database: TestDatabase;
  let pool: pg.Pool;
  const procs: Proc[] = [];
  const users = Array.from({ length: PAIRS }, (_, i) => ({ user: `user${i}`, src: `src-pw-${i}-${randomBytes(3).toString('hex')}`, dst: `dst-pw-${i}-${randomBytes(3).toString('hex')}` }));

  before(async () => {
    [source, target, database] = await Promise.all([
      startDovecot({ name: 'scale-src', users: Object.fromEntries(users.map((u) => [u.user, u.src])) }),
      startDovecot({ name: 'scale-dst', users: Object.fromEntries(users.map((u) => [u.user, u.dst])) }),
      testDatabase('project_workers'),
    ]);
    proxy = await startFaultProxy(source.port);
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    const corpus = [
      ...corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')),
      ...corpusAsFolders(join(FIXTURES, 'mail-edge')).map((f) => ({ ...f, path: `edge/${f.path}` })),
    ];
    for (let i = 0; i < PAIRS; i += 10) {
      await Promise.all(users.slice(i, i + 10).map((u, j) => seedMailbox({ host: source.host, port: source.port, user: u.user, password: u.src }, mailboxFor(i + j, corpus))));
    }
  });

  after(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.done));
    // The processes' logs stay for debugging (they hold no passwords: the test checks that).
    const logDir = mkdtempSync(join(tmpdir(), 'cutover-project-workers-logs-'));
    for (const p of procs) writeFileSync(join(logDir, `${p.name}.log`), p.output());
    process.stderr.write(`project-workers: process logs in ${logDir}\n`);
    await pool?.end();
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
    await database?.drop();
  });

  test('every pair completes on three processes, a killed worker loses nothing, the source cap holds', async (t) => {
    const t0 = Date.now();
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL: database.url,
      CUTOVER_SECRET_KEY: randomBytes(32).toString('base64'),
      CUTOVER_LOG_LEVEL: 'info',
      CUTOVER_WORKER_CONCURRENCY: '3',
      CUTOVER_PASS_CONNECTIONS: '2',
      CUTOVER_SUPERVISE_SECONDS: '2',
      CUTOVER_JOB_HEARTBEAT_SECONDS: '10',
      CUTOVER_SHUTDOWN_TIMEOUT_SECONDS: '20',
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'cutover-serve-'));
    const serve = start('serve', ['serve', '--port', '0', '--data-dir', dataDir], {
      ...env, CUTOVER_WORKER_NAME: 'serve', CUTOVER_ADMIN_EMAIL: ADMIN.email, CUTOVER_ADMIN_PASSWORD: ADMIN.password,
    });
    procs.push(serve);
    const url = await waitFor('serve to listen', () => {
      if (serve.child.exitCode !== null) throw new Error(`serve exited:\n${serve.output()}`);
      return /Cutover is running at (http:\/\/\S+)/.exec(serve.output())?.[1];
    }, 60_000);
    const workerA = start('worker-a', ['worker'], { ...env, CUTOVER_WORKER_NAME: 'worker-a' });
    const workerB = start('worker-b', ['worker'], { ...env, CUTOVER_WORKER_NAME: 'worker-b' });
    procs.push(workerA, workerB);
    for (const w of [workerA, workerB]) {
      await waitFor(`${w.name} to start`, () => {
        if (w.child.exitCode !== null) throw new Error(`${w.name} exited:\n${w.output()}`);
        return w.output().includes('taking passes from the queue');
      }, 60_000);
    }

    // --- the project, through the API
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(login.status, 200, await login.clone().text());
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const api = async <T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> => {
      const res = await fetch(`${url}${path}`, {
        method, headers: { cookie, ...(body === undefined ? {} : { 'content-type': contentType }) },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    };
    const endpoint = (name: string, port: number, maxConnections: number) => ({ name, host: '127.0.0.1', port, tls: 'none', tlsVerify: false, authKind: 'password', maxConnections });
    const src = await api<{ id: string }>('POST', '/api/endpoints', endpoint('legacy (through the counting proxy)', proxy.port, SOURCE_CAP));
    const dst = await api<{ id: string }>('POST', '/api/endpoints', endpoint('new server', target.port, 40));
    const project = await api<{ id: string }>('POST', '/api/projects', { name: 'fifty mailboxes', sourceEndpointId: src.id, targetEndpointId: dst.id });
    const csv = ['Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags',
      ...users.map((u) => `${u.user}@legacy.test,${u.user},${u.src},${u.user}@new.test,${u.user},${u.dst},`)].join('\n') + '\n';
    const imported = await api<{ created: number; errors: unknown[] }>('POST', `/api/projects/${project.id}/import?batch=all`, csv, 'text/csv');
    assert.equal(imported.created, PAIRS, JSON.stringify(imported.errors));
    const started = await api<{ queued: number }>('POST', `/api/projects/${project.id}/start`, {});
    assert.equal(started.queued, PAIRS);

    // --- SIGKILL worker-b while it runs passes, once the project is under way
    const killedPairs = await waitFor('worker-b to run passes mid-project', async () => {
      const { rows } = await pool.query<{ pair_id: string; done: string }>(
        `SELECT pair_id, (SELECT count(*) FROM passes WHERE status = 'completed' AND worker = 'worker-b') AS done FROM passes WHERE worker = 'worker-b' AND status = 'running'`);
      return rows.length > 0 && Number(rows[0]?.done) >= 2 ? rows.map((r) => String(r.pair_id)) : null;
    }, 90_000, 20);
    workerB.child.kill('SIGKILL');
    t.diagnostic(`SIGKILL worker-b at ${Date.now() - t0} ms while it ran pairs ${killedPairs.join(', ')}`);
    assert.equal((await workerB.done).signal, 'SIGKILL');

    // --- SIGTERM worker-a a little later: it hands its running passes back and exits.
    await waitFor('worker-a to run a pass', async () => {
      const { rows } = await pool.query<{ done: string }>(
        `SELECT (SELECT count(*) FROM passes WHERE status = 'completed' AND worker = 'worker-a') AS done FROM passes WHERE worker = 'worker-a' AND status = 'running'`);
      return rows.length > 0 && Number(rows[0]?.done) >= 4;
    }, 60_000, 20);
    workerA.child.kill('SIGTERM');
    t.diagnostic(`SIGTERM worker-a at ${Date.now() - t0} ms`);
    const stoppedA = await workerA.done;
    assert.equal(stoppedA.code, 143, stoppedA.stdout + stoppedA.stderr);
    assert.match(stoppedA.stderr, /handed back to the queue|worker stopped/);

    // --- everything completes on the processes left
    await waitFor('every pair to complete', async () => {
      const { rows } = await pool.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM pairs WHERE project_id = $1 GROUP BY state', [project.id]);
      const states = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
      if (states['failed']) {
        const { rows: failed } = await pool.query('SELECT id, last_error_code, last_error_text FROM pairs WHERE state = $1', ['failed']);
        throw new Error(`pairs failed: ${JSON.stringify(failed)}`);
      }
      return states['completed'] === PAIRS;
    }, 150_000, 500);

    const { rows: byWorker } = await pool.query<{ worker: string; status: string; n: string }>('SELECT worker, status, count(*) AS n FROM passes GROUP BY worker, status ORDER BY worker, status');
    t.diagnostic(`all ${PAIRS} pairs completed at ${Date.now() - t0} ms; passes: ${byWorker.map((r) => `${r.worker} ${r.status} ${r.n}`).join(', ')}`);
    const workers = new Set(byWorker.map((r) => r.worker));
    assert.deepEqual([...workers].sort(), ['serve', 'worker-a', 'worker-b'], JSON.stringify(byWorker));
    // The passes worker-b held when it was killed were finished by another process.
    const { rows: resumed } = await pool.query<{ pair_id: string; worker: string }>(
      `SELECT pair_id, worker FROM passes WHERE pair_id = ANY($1::bigint[]) AND status = 'completed'`, [killedPairs]);
    assert.equal(new Set(resumed.map((r) => String(r.pair_id))).size, killedPairs.length);
    assert.ok(resumed.every((r) => r.worker !== 'worker-b'), JSON.stringify(resumed));
    const { rows: inDoubt } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ledger_items WHERE state <> 'migrated'`);
    assert.equal(Number(inDoubt[0]?.n), 0, 'every item migrated, none in doubt or failed');

    // --- target equals source, for every pair
    for (let i = 0; i < PAIRS; i += 10) {
      await Promise.all(users.slice(i, i + 10).map(async (u) => {
        const [s, t] = await Promise.all([
          snapshotMailbox({ host: source.host, port: source.port, user: u.user, password: u.src }),
          snapshotMailbox({ host: target.host, port: target.port, user: u.user, password: u.dst }),
        ]);
        const result = compareMailboxes(s, t);
        assert.ok(result.ok, `${u.user}: ${result.report}`);
      }));
    }

    // --- the cap held across the three processes
    t.diagnostic(`source connections: peak ${proxy.peakConnections} at once (cap ${SOURCE_CAP}), ${proxy.totalConnections} in all`);
    assert.ok(proxy.peakConnections <= SOURCE_CAP, `source saw ${proxy.peakConnections} connections at once, cap ${SOURCE_CAP}`);
    assert.ok(proxy.peakConnections >= 2, `peak ${proxy.peakConnections}: passes did run in parallel`);

    // --- no password in any process output
    const logs = procs.map((p) => p.output()).join('\n');
    for (const u of users) assert.ok(!logs.includes(u.src) && !logs.includes(u.dst), `a password of ${u.user} appears in the logs`);

    serve.child.kill('SIGTERM');
    const stopped = await serve.done;
    assert.equal(stopped.code, 143, stopped.stderr.slice(-2000));
  });
});
