/**
 * Pair and project actions through the real queue (pg-boss) and an in-process worker: a pass paused
 * mid-way stops at a batch boundary and resumes where it stopped, a paused pair refuses new passes, a
 * stopped pair starts again on request, a ledger reset is refused while a pass runs and afterwards
 * copies nothing twice, a project pause holds its pairs until it is resumed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { isAppError } from '../../src/core/app-error.ts';
import { createEndpoint } from '../../src/projects/endpoints.ts';
import { importCsv } from '../../src/projects/import-pairs.ts';
import { pausePair, pauseProject, requestPass, resetPair, resumePair, resumeProject, retryFailed, startProject, stopPair, type PairActionContext } from '../../src/projects/pair-actions.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createProject, updateProject } from '../../src/store/project.repository.ts';
import { getProjectPair, listProjectPairs } from '../../src/store/project-pair.repository.ts';
import { listPasses } from '../../src/store/pass.repository.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { corpusAsFolders, seedMailbox } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';
import { startInProcessWorker, type InProcessWorker } from '../helpers/in-process-worker.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');
const KEY = randomBytes(32);


describe('pair and project actions', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let database: TestDatabase;
  let pool: pg.Pool;
  let boss: PgBoss;
  let queue: InProcessWorker | undefined;
  let worker: Worker;
  let ctx: PairActionContext;
  let projectId: string;
  let pairId: string;
  const src = { user: 'bob', password: 'bob-source-pw' };
  const dst = { user: 'bob', password: 'bob-target-pw' };

  before(async () => {
    [source, target, database] = await Promise.all([
      startDovecot({ name: 'actions-src', users: { [src.user]: src.password } }),
      startDovecot({ name: 'actions-dst', users: { [dst.user]: dst.password } }),
      testDatabase('pair_actions'),
    ]);
    pool = new pg.Pool({ connectionString: database.url, max: 12 });
    await migrate(pool);
    await seedMailbox({ host: source.host, port: source.port, ...src }, [
      ...corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')),
      ...corpusAsFolders(join(FIXTURES, 'mail-edge')).map((f) => ({ ...f, path: `edge/${f.path}` })),
    ]);
    const endpoint = (name: string, port: number) => ({ name, host: '127.0.0.1', port, tls: 'none' as const, tlsVerify: false, authKind: 'password' as const, maxConnections: 2 });
    const project = await createProject(pool, {
      name: 'actions', sourceEndpointId: await createEndpoint(pool, KEY, endpoint('s', source.port)), targetEndpointId: await createEndpoint(pool, KEY, endpoint('t', target.port)),
    });
    projectId = project.id;
    await importCsv(pool, KEY, projectId, 'Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags\n' +
      `bob@s.test,${src.user},${src.password},bob@t.test,${dst.user},${dst.password},\n`);
    pairId = (await listProjectPairs(pool, projectId, { limit: 1, offset: 0 })).pairs[0]!.id;
    // The pause switch is polled every 100 ms so a pause lands mid-pass on this 804-message mailbox.
    queue = await startInProcessWorker({ databaseUrl: database.url, pool, secretKey: KEY, concurrency: 2, controlPollMs: 100 });
    ({ boss, worker, ctx } = queue);
  });

  after(async () => {
    await queue?.stop();
    await pool?.end();
    await Promise.all([source?.stop(), target?.stop(), database?.drop()]);
  });

  const state = async (): Promise<string> => (await getProjectPair(pool, pairId))?.state ?? 'missing';
  const copiedSoFar = async (): Promise<number> => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ledger_items WHERE pair_id = $1 AND state = 'migrated'`, [pairId])).rows[0]?.n);

  test('pause mid-pass, refuse while paused, resume where it stopped', async () => {
    const started = await startProject(ctx, projectId);
    assert.deepEqual({ queued: started.queued, skipped: started.skipped }, { queued: 1, skipped: 0 });
    await until('the pass to copy something', async () => (await copiedSoFar()) > 0);
    await pausePair(ctx, pairId);
    const [interrupted] = await until('the pass to stop', async () => {
      const passes = await listPasses(pool, pairId, 1);
      return passes[0]?.status === 'interrupted' ? passes : null;
    });
    assert.equal(interrupted?.kind, 'full');
    assert.equal(await state(), 'paused');
    const partial = await copiedSoFar();
    await assert.rejects(requestPass(ctx, pairId, 'delta'), (err) => isAppError(err) && err.code === 'PAIR_PAUSED');
    await assert.rejects(resetPair(ctx, '999999'), /no mailbox pair/);

    const resumed = await resumePair(ctx, pairId);
    assert.equal(resumed?.kind, 'full', 'resuming continues the interrupted full pass');
    await until('the pair to complete', async () => (await state()) === 'completed');
    assert.ok((await copiedSoFar()) > partial);
    const [s, t] = await Promise.all([
      snapshotMailbox({ host: source.host, port: source.port, ...src }),
      snapshotMailbox({ host: target.host, port: target.port, ...dst }),
    ]);
    assertMailboxesEqual(s, t);
  });

  test('reset refused while running; after a reset the next pass finds everything on the target', async () => {
    const request = await requestPass(ctx, pairId, 'full');
    assert.ok(request.jobId);
    await until('running', async () => (await state()) === 'running');
    await assert.rejects(resetPair(ctx, pairId), (err) => isAppError(err) && err.code === 'PASS_ALREADY_RUNNING');
    await until('completed', async () => (await state()) === 'completed');
    const reset = await resetPair(ctx, pairId, 'credit');
    assert.ok(reset.items > 0);
    await retryFailed(ctx, pairId); // a delta: the reset folder counts as new
    await until('completed again', async () => {
      const [last] = await listPasses(pool, pairId, 1);
      return last?.kind === 'delta' && last.status === 'completed' ? last : null;
    });
    const [last] = await listPasses(pool, pairId, 1);
    assert.equal(last?.counts.copied, 0, 'nothing copied twice after the reset');
    assert.equal(last?.counts.alreadyThere, reset.items);
  });

  test('stop ends a pass and leaves the pair stopped until asked again; a project pause holds its pairs', async () => {
    const passesBefore = (await listPasses(pool, pairId, 100)).length;
    await requestPass(ctx, pairId, 'verify');
    await stopPair(ctx, pairId);
    // The queued job is taken and skipped (or its pass stopped at once): the pair stays stopped.
    await until('the queued job to be consumed', async () =>
      (await boss.findJobs('sync-pair', { key: `pair:${pairId}`, queued: true })).length === 0 && worker.running() === 0);
    assert.equal(await state(), 'stopped');
    // Where the stop lands is a race the test does not steer: before the worker takes the job (no
    // pass), during the pass (interrupted at a batch boundary), or after its last batch (the verify
    // completes). The pair stays stopped in every case — the worker's final write never overwrites it.
    const verifies = (await listPasses(pool, pairId, 100)).slice(0, -passesBefore || undefined).filter((p) => p.kind === 'verify');
    assert.ok(verifies.length <= 1 && verifies.every((p) => p.status === 'interrupted' || p.status === 'completed'), JSON.stringify(verifies));
    const again = await requestPass(ctx, pairId, 'verify');
    assert.equal(again.alreadyQueued, false);
    await until('verify completed', async () => (await state()) === 'completed');
    const [verify] = await listPasses(pool, pairId, 1);
    assert.deepEqual([verify?.kind, verify?.status], ['verify', 'completed']);

    await pauseProject(ctx, projectId);
    await assert.rejects(requestPass(ctx, pairId, 'delta'), (err) => isAppError(err) && err.code === 'PAIR_PAUSED');
    await assert.rejects(startProject(ctx, projectId), (err) => isAppError(err) && err.code === 'PAIR_PAUSED');
    const resumed = await resumeProject(ctx, projectId);
    assert.equal(resumed.queued, 0, 'only pairs the pause held are queued again');
    assert.equal((await requestPass(ctx, pairId, 'delta')).alreadyQueued, false);
    await until('delta completed', async () => (await state()) === 'completed');
  });

  test("the project's migration settings apply to worker passes; invalid settings fail the pair with the reason", async () => {
    await updateProject(pool, projectId, { settings: { migration: { maxSize: 5000 } } });
    await seedMailbox({ host: source.host, port: source.port, ...src }, [{ path: 'INBOX', messages: [
      { raw: Buffer.from('Subject: small\r\n\r\nfits\r\n') },
      { raw: Buffer.from(`Subject: big\r\n\r\n${'x'.repeat(8000)}\r\n`) },
    ] }]);
    await requestPass(ctx, pairId, 'delta');
    await until('delta completed', async () => (await state()) === 'completed');
    const excluded = await pool.query<{ subject: string; reason_text: string }>(
      `SELECT subject, reason_text FROM ledger_items WHERE pair_id = $1 AND state = 'excluded' AND subject = 'big'`, [pairId]);
    assert.deepEqual(excluded.rows, [{ subject: 'big', reason_text: 'maxsize=5000' }]);
    const small = await pool.query(`SELECT 1 FROM ledger_items WHERE pair_id = $1 AND state = 'migrated' AND subject = 'small'`, [pairId]);
    assert.equal(small.rowCount, 1);

    await updateProject(pool, projectId, { settings: { migration: { include: ['('] } } });
    await requestPass(ctx, pairId, 'delta');
    await until('pair failed', async () => (await state()) === 'failed');
    const pair = await getProjectPair(pool, pairId);
    assert.equal(pair?.lastErrorCode, 'PROJECT_INVALID');
    await updateProject(pool, projectId, { settings: {} });
  });
});

