/**
 * Copying K mailboxes at once, the way each tool does it best:
 * - Cutover: one project of K pairs run by `cutover serve --no-worker` (API) plus one
 *   `cutover worker --concurrency K` on a shared PostgreSQL — how Cutover is meant to run many
 *   mailboxes (one process, one database; K `cutover sync` processes would start K embedded databases);
 * - mbsync, doveadm backup: K processes at once (they have no multi-mailbox mode).
 * Aggregate time runs from the first start to the last pair done. Over that window: the share of the
 * machine's CPU busy, and CPU seconds of the tool, the Dovecots and PostgreSQL, so the report can say
 * whether the CPU or the server saturated. Every pair is gated afterwards like any pass.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { testDatabase } from '../test/helpers/postgres.ts';
import type { TestDatabase } from '../test/helpers/postgres.ts';
import { cpuWindow, dovecotMasterPid, findPids, peakRssOfMiB } from './measure.ts';
import type { Lab, PairState, SourceEntry } from './scenarios/lab.ts';
import type { ConcurrencyPoint } from './scenarios/types.ts';
import { countBytes, countMessages } from './snapshot.ts';
import type { Tool } from './tools/types.ts';
import { runGate } from './verify.ts';
import { spawnProc } from './spawn-proc.ts';
import { until } from '../test/helpers/until.ts';
import { apiSession } from './api-session.ts';

async function gateAll(pairs: PairState[]): Promise<string[]> {
  const failures: string[] = [];
  for (const p of pairs) {
    const { result } = await runGate(p.source.snapshot, p.target, p.tool.gate);
    if (!result.ok) failures.push(`${p.target.user}: ${result.summary}`);
  }
  return failures;
}

/** Share of all cores the measured CPU seconds amount to over `wallS`. */
const share = (cpuS: number, wallS: number): number => cpuS / (wallS * cpus().length);

function totals(sources: SourceEntry[]): { messages: number; bytes: number } {
  return { messages: sources.reduce((n, s) => n + countMessages(s.snapshot), 0), bytes: sources.reduce((n, s) => n + countBytes(s.snapshot), 0) };
}

/** K processes of `tool` at once, one pair each, loopback, maildir target. */
export async function concurrentProcesses(lab: Lab, tool: Tool, sources: SourceEntry[]): Promise<ConcurrencyPoint> {
  const pairs: PairState[] = [];
  for (const source of sources) pairs.push(await lab.newPair(tool, source, 'maildir', 0));
  const server = await lab.targetServer('maildir');
  const window = cpuWindow({ source: dovecotMasterPid(sources[0]!.server.configPath), target: dovecotMasterPid(server.configPath) });
  const runs = await Promise.allSettled(pairs.map((p) => p.pair.pass('full')));
  const w = window.stop();
  const failures = runs.flatMap((r, i) => (r.status === 'rejected' ? [`${pairs[i]!.target.user}: ${String(r.reason).split('\n')[0]}`] : []));
  failures.push(...(await gateAll(pairs.filter((_, i) => runs[i]!.status === 'fulfilled'))));
  const done = runs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const { messages, bytes } = totals(sources);
  const toolCpu = done.reduce((n, m) => n + (m.cpuS ?? NaN), 0);
  const dovecotCpu = (w.cpuS['source'] ?? NaN) + (w.cpuS['target'] ?? NaN);
  return {
    tool: tool.name, mailboxes: sources.length, messagesPerMailbox: messages / sources.length, wallS: w.wallS,
    messagesPerS: messages / w.wallS, mbPerS: bytes / 1e6 / w.wallS, machineBusy: w.machineBusy, ownBusy: share(toolCpu + dovecotCpu, w.wallS),
    cpuS: { tool: toolCpu, dovecot: dovecotCpu },
    peakRssPerPairMiB: done.reduce((n, m) => n + (m.peakRssMiB ?? NaN), 0) / sources.length,
    gateOk: failures.length === 0, failures, mode: 'K processes, one pair each',
  };
}


/** The API, database and endpoints shared by every K of Cutover's concurrency runs. */
export interface CutoverProjectHost {
  run(sources: SourceEntry[]): Promise<ConcurrencyPoint>;
  stop(): Promise<void>;
}

export async function startCutoverProjectHost(lab: Lab, cutover: Tool, passConnections: number): Promise<CutoverProjectHost> {
  const database: TestDatabase = await testDatabase('bench_concurrency');
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const pgPort = new URL(database.url).port;
  // The postmaster listening on the database's port (its backends are its children).
  const postmaster = findPids((argv) => /postgres$/.test(argv[0] ?? '') && argv.some((a, i) => a === '-p' && argv[i + 1] === pgPort))[0];
  const admin = { email: 'bench@cutover.test', password: 'bench-admin-password' };
  const env: NodeJS.ProcessEnv = { DATABASE_URL: database.url, CUTOVER_SECRET_KEY: randomBytes(32).toString('base64'), CUTOVER_LOG_LEVEL: 'warn' };
  const serve = spawnProc(['serve', '--no-worker', '--port', '0', '--data-dir', mkdtempSync(join(lab.options.workDir, 'serve-'))], {
    ...env, CUTOVER_ADMIN_EMAIL: admin.email, CUTOVER_ADMIN_PASSWORD: admin.password,
  });
  const stopAll = async (): Promise<void> => {
    serve.child.kill('SIGTERM');
    await serve.done;
    await pool.end();
    await database.drop();
  };
  try {
    const url = await until('cutover serve', () => {
      if (serve.child.exitCode !== null) throw new Error(serve.out());
      return /Cutover is running at (http:\/\/\S+)/.exec(serve.out())?.[1];
    }, 60_000);
    const api = await apiSession(url, admin);
    const server = await lab.targetServer('maildir');
    const endpoint = (name: string, port: number): Record<string, unknown> => ({ name, host: '127.0.0.1', port, tls: 'none', tlsVerify: false, authKind: 'password', maxConnections: 1000 });
    // The concurrency mailboxes c1…cK are accounts on the scenarios' own source server.
    const src = await api<{ id: string }>('/api/endpoints', endpoint('source', lab.source.port));
    const dst = await api<{ id: string }>('/api/endpoints', endpoint('target', server.port));
    let runs = 0;
    return {
      stop: stopAll,
      async run(sources) {
        const k = sources.length;
        const pairs: PairState[] = [];
        for (const source of sources) pairs.push(await lab.newPair(cutover, source, 'maildir', 0));
        const project = await api<{ id: string }>('/api/projects', { name: `concurrency ${k} #${++runs}`, sourceEndpointId: src.id, targetEndpointId: dst.id });
        const csv = ['Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags',
          ...pairs.map((p) => `${p.source.account.user}@s.test,${p.source.account.user},${p.source.account.password},${p.target.user}@t.test,${p.target.user},${p.target.password},`)].join('\n');
        await api(`/api/projects/${project.id}/import`, csv, 'text/csv');
        const worker = spawnProc(['worker', '--concurrency', String(k), '--pass-connections', String(passConnections), '--worker-name', `bench-k${k}`], env);
        try {
          await until('cutover worker', () => {
            if (worker.child.exitCode !== null) throw new Error(worker.out());
            return worker.out().includes('taking passes');
          }, 60_000);
          // The worker states its concurrency: a K it did not take would make this point a lie.
          if (!worker.out().includes(`(${k} at once)`)) throw new Error(`cutover worker did not take --concurrency ${k}: ${worker.out()}`);
          const workerPid = worker.child.pid;
          const window = cpuWindow({ source: dovecotMasterPid(sources[0]!.server.configPath), target: dovecotMasterPid(server.configPath), worker: workerPid, postgres: postmaster });
          await api(`/api/projects/${project.id}/start`, {});
          await until('every pair completed', async () => {
            const { rows } = await pool.query<{ state: string; n: string; err: string | null }>(
              `SELECT state, count(*) AS n, max(last_error_text) AS err FROM pairs WHERE project_id = $1 GROUP BY state`, [project.id]);
            const failed = rows.find((r) => r.state === 'failed');
            if (failed) throw new Error(`cutover pairs failed: ${failed.n}: ${failed.err ?? ''}`);
            return Number(rows.find((r) => r.state === 'completed')?.n ?? 0) === k;
          }, 3_600_000, 50);
          const w = window.stop();
          // VmHWM: the worker's exact peak RSS over its life, which is this run (a worker per K).
          const peak = workerPid !== undefined ? peakRssOfMiB(workerPid) ?? NaN : NaN;
          const failures = await gateAll(pairs);
          const { messages, bytes } = totals(sources);
          const cpu = { tool: w.cpuS['worker'] ?? NaN, dovecot: (w.cpuS['source'] ?? NaN) + (w.cpuS['target'] ?? NaN), postgres: w.cpuS['postgres'] ?? NaN };
          return {
            tool: 'cutover', mailboxes: k, messagesPerMailbox: messages / k, wallS: w.wallS, messagesPerS: messages / w.wallS,
            mbPerS: bytes / 1e6 / w.wallS, machineBusy: w.machineBusy, ownBusy: share(cpu.tool + cpu.dovecot + cpu.postgres, w.wallS), cpuS: cpu,
            peakRssPerPairMiB: peak / k, gateOk: failures.length === 0, failures,
            mode: `one project, 1 worker --concurrency K, --pass-connections ${passConnections}`,
          };
        } finally {
          worker.child.kill('SIGTERM');
          await worker.done;
        }
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
