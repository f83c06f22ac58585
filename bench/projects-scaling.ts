/**
 * `npm run bench:projects`: throughput of one project of many mailbox pairs (default 200) run by 1, 2
 * and 4 `cutover worker` processes on one PostgreSQL, as ratios to 1 worker. Each run gets a fresh
 * database and fresh, empty target accounts; the source accounts are the same for every run and are
 * read once completely before the first run, so no run pays for a cold source.
 *
 *   npm run bench:projects                                   # 200 pairs x 50 messages, workers 1,2,4
 *   npm run bench:projects -- --pairs 40 --messages 20 --workers 1,2
 *   npm run bench:projects -- --concurrency 4                # passes per worker process
 *
 * The API runs in `cutover serve --no-worker`; the project is created, imported and started through it.
 * Timing: from the start request until every pair is `completed` (polled in the database every 250 ms).
 * Verification: per-folder message counts of every target account (doveadm) equal the source's.
 * Results: a table on stdout and bench/.work/projects-scaling.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startDovecot, type DovecotInstance } from '../test/helpers/dovecot.ts';
import { seedMailbox } from '../test/helpers/seed-mailbox.ts';
import { testDatabase } from '../test/helpers/postgres.ts';
import { buildMessageSet } from './message-set.ts';
import { compareCounts, folderCounts } from './verify.ts';
import { spawnProc, type Proc } from './spawn-proc.ts';
import { until } from '../test/helpers/until.ts';
import { apiSession } from './api-session.ts';

interface Args {
  pairs: number;
  messages: number;
  workers: number[];
  concurrency: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { pairs: 200, messages: 50, workers: [1, 2, 4], concurrency: 2 };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1] ?? '';
    switch (argv[i]) {
      case '--pairs': args.pairs = Number(value); i++; break;
      case '--messages': args.messages = Number(value); i++; break;
      case '--workers': args.workers = value.split(',').map(Number); i++; break;
      case '--concurrency': args.concurrency = Number(value); i++; break;
      default: throw new Error(`unknown option ${argv[i]} (see the comment at the top of bench/projects-scaling.ts)`);
    }
  }
  if (![args.pairs, args.messages, args.concurrency, ...args.workers].every((n) => Number.isInteger(n) && n > 0)) throw new Error('options must be positive integers');
  return args;
}

const log = (line: string): void => {
  process.stderr.write(`[bench:projects] ${line}\n`);
};


interface RunResult {
  workers: number;
  seconds: number;
  messagesPerSecond: number;
  passes: Record<string, number>;
  verified: boolean;
}

async function runOnce(n: number, args: Args, source: DovecotInstance, target: DovecotInstance, users: Array<{ user: string; password: string }>, targetPassword: string): Promise<RunResult> {
  const database = await testDatabase(`bench_projects_${n}`);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const admin = { email: 'bench@cutover.test', password: 'bench-admin-password' };
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: database.url, CUTOVER_SECRET_KEY: randomBytes(32).toString('base64'), CUTOVER_LOG_LEVEL: 'warn',
    CUTOVER_WORKER_CONCURRENCY: String(args.concurrency), CUTOVER_PASS_CONNECTIONS: '2',
  };
  const procs: Proc[] = [];
  try {
    const serve = spawnProc(['serve', '--no-worker', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'cutover-bench-'))], {
      ...env, CUTOVER_ADMIN_EMAIL: admin.email, CUTOVER_ADMIN_PASSWORD: admin.password,
    });
    procs.push(serve);
    const url = await until('serve', () => {
      if (serve.child.exitCode !== null) throw new Error(serve.out());
      return /Cutover is running at (http:\/\/\S+)/.exec(serve.out())?.[1];
    }, 60_000);
    for (let i = 0; i < n; i++) procs.push(spawnProc(['worker'], { ...env, CUTOVER_WORKER_NAME: `w${i + 1}` }));
    for (const p of procs.slice(1)) {
      await until('worker', () => {
        if (p.child.exitCode !== null) throw new Error(p.out());
        return p.out().includes('taking passes');
      }, 60_000);
    }
    const api = await apiSession(url, admin);
    const endpoint = (name: string, port: number) => ({ name, host: '127.0.0.1', port, tls: 'none', tlsVerify: false, authKind: 'password', maxConnections: 500 });
    const src = await api<{ id: string }>('/api/endpoints', endpoint('source', source.port));
    const dst = await api<{ id: string }>('/api/endpoints', endpoint('target', target.port));
    const project = await api<{ id: string }>('/api/projects', { name: `bench ${n} workers`, sourceEndpointId: src.id, targetEndpointId: dst.id });
    const csv = ['Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags',
      ...users.map((u) => `${u.user}@s.test,${u.user},${u.password},${u.user}.w${n}@t.test,w${n}-${u.user},${targetPassword},`)].join('\n');
    await api(`/api/projects/${project.id}/import`, csv, 'text/csv');

    const started = performance.now();
    await api(`/api/projects/${project.id}/start`, {});
    await until('all pairs to complete', async () => {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM pairs WHERE state = 'completed'`);
      const { rows: failed } = await pool.query(`SELECT id, last_error_text FROM pairs WHERE state = 'failed' LIMIT 3`);
      if (failed.length > 0) throw new Error(`pairs failed: ${JSON.stringify(failed)}`);
      return Number(rows[0]?.n) === args.pairs;
    }, 3_600_000);
    const seconds = (performance.now() - started) / 1000;
    const { rows: byWorker } = await pool.query<{ worker: string; n: string }>(`SELECT worker, count(*) AS n FROM passes GROUP BY worker ORDER BY worker`);

    let verified = true;
    for (const u of users) {
      const check = compareCounts(await folderCounts(source.configPath, u.user), await folderCounts(target.configPath, `w${n}-${u.user}`));
      if (!check.ok) {
        verified = false;
        log(`w${n}-${u.user}: ${check.differences.slice(0, 3).join('; ')}`);
      }
    }
    return { workers: n, seconds, messagesPerSecond: (args.pairs * args.messages) / seconds, passes: Object.fromEntries(byWorker.map((r) => [r.worker, Number(r.n)])), verified };
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.done));
    await pool.end();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const set = (i: number) => buildMessageSet(args.messages, `p${i}-`);
  const users = Array.from({ length: args.pairs }, (_, i) => ({ user: `u${i}`, password: `src-${i}` }));
  const targetPassword = 'target-pw';
  log(`${args.pairs} pairs x ${args.messages} messages; workers ${args.workers.join(', ')}; ${args.concurrency} passes per worker; ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(1)}`);
  const [source, target] = await Promise.all([
    startDovecot({ name: 'bench-proj-src', users: Object.fromEntries(users.map((u) => [u.user, u.password])) }),
    startDovecot({ name: 'bench-proj-dst', users: Object.fromEntries(args.workers.flatMap((n) => users.map((u) => [`w${n}-${u.user}`, targetPassword]))) }),
  ]);
  try {
    const seedStart = performance.now();
    for (let i = 0; i < users.length; i += 10) {
      await Promise.all(users.slice(i, i + 10).map((u, j) => seedMailbox({ host: source.host, port: source.port, user: u.user, password: u.password }, set(i + j).folders)));
    }
    // Read every source account once so the first run does not pay for cold indexes and page cache.
    for (const u of users) await folderCounts(source.configPath, u.user);
    log(`seeded ${args.pairs * args.messages} messages in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const results: RunResult[] = [];
    for (const n of args.workers) {
      log(`run with ${n} worker(s)…`);
      const r = await runOnce(n, args, source, target, users, targetPassword);
      log(`${n} worker(s): ${r.seconds.toFixed(1)} s, ${Math.round(r.messagesPerSecond)} msg/s, passes per worker ${JSON.stringify(r.passes)}, verified ${r.verified}`);
      results.push(r);
    }
    const base = results.find((r) => r.workers === 1) ?? results[0];
    const lines = [
      `| workers | passes per worker | time s | messages/s | ratio to 1 worker | verified |`,
      `| --- | --- | --- | --- | --- | --- |`,
      ...results.map((r) => `| ${r.workers} | ${args.concurrency} | ${r.seconds.toFixed(1)} | ${Math.round(r.messagesPerSecond)} | ${base ? (r.messagesPerSecond / base.messagesPerSecond).toFixed(2) : '–'}x | ${r.verified ? 'yes' : 'NO'} |`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const out = resolve(import.meta.dirname, '.work');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'projects-scaling.json'), JSON.stringify({ args, cpus: cpus().length, results }, null, 2));
    if (results.some((r) => !r.verified)) process.exitCode = 1;
  } finally {
    await Promise.all([source.stop(), target.stop()]);
  }
}

await main();
