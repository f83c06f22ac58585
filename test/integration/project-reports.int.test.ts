import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { AppError } from '../../src/core/app-error.ts';
import { createEndpoint, type EndpointSpec } from '../../src/projects/endpoints.ts';
import { importCsv } from '../../src/projects/import-pairs.ts';
import { failedItems, pairReport, projectReport, toCsv } from '../../src/projects/reports.ts';
import { createPool } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createProject } from '../../src/store/project.repository.ts';
import { insertFindings, listFindings } from '../../src/store/verify-finding.repository.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';

const key = randomBytes(32);
const NOW = new Date('2025-03-01T12:00:00Z');
let database: TestDatabase;
let pool: pg.Pool;

const master = (name: string, host: string): EndpointSpec => ({
  name, host, port: 993, tls: 'implicit', tlsVerify: true, authKind: 'master', adminUser: 'admin', adminPassword: 'Admin-Pw', maxConnections: 4,
});

before(async () => {
  database = await testDatabase('project_reports_int');
  pool = createPool(database.url);
  await migrate(pool);
});

after(async () => {
  await pool.end();
  await database.drop();
});

/** A project of `n` pairs imported from an admin-form CSV; returns its id and the pair ids in order. */
async function projectOf(name: string, n: number): Promise<{ projectId: string; pairIds: string[] }> {
  const sourceEndpointId = await createEndpoint(pool, key, master(`${name} src`, `src.${name}.example.com`));
  const targetEndpointId = await createEndpoint(pool, key, master(`${name} dst`, `dst.${name}.example.com`));
  const projectId = (await createProject(pool, { name, sourceEndpointId, targetEndpointId })).id;
  const lines = ['source,target', ...Array.from({ length: n }, (_, i) => `user${i}@old.example.com,user${i}@new.example.org`)];
  const result = await importCsv(pool, key, projectId, lines.join('\n'), { batchName: 'All' });
  assert.equal(result.created, n);
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM pairs WHERE project_id = $1 ORDER BY id', [projectId]);
  return { projectId, pairIds: rows.map((r) => String(r.id)) };
}

/**
 * Synthetic history, in SQL: per pair 20 items of 1,000 bytes (17 migrated, 1 excluded, 1 failed, 1 in
 * doubt) and one finished full pass of 10 s that copied 17 items / 17,000 bytes. Pairs 0-199 completed
 * (every 10th failed instead), the others idle without history. Half the completed pairs' items were
 * migrated inside the last 30 minutes.
 */
async function seedHistory(projectId: string, withHistory: number): Promise<void> {
  await pool.query(
    `WITH sel AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM pairs WHERE project_id = $1)
     UPDATE pairs p SET state = CASE WHEN sel.n % 10 = 9 THEN 'failed' ELSE 'completed' END,
            last_error_code = CASE WHEN sel.n % 10 = 9 THEN 'IMAP_AUTH_FAILED' END,
            last_error_text = CASE WHEN sel.n % 10 = 9 THEN 'AUTHENTICATIONFAILED' END
       FROM sel WHERE p.id = sel.id AND sel.n < $2`,
    [projectId, withHistory],
  );
  await pool.query(
    `WITH sel AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM pairs WHERE project_id = $1)
     INSERT INTO ledger_items (pair_id, source_folder, uidvalidity, uid, fingerprint, size, internal_date, subject, state, reason_code, reason_text, attempts, updated_at)
     SELECT sel.id, CASE WHEN u % 2 = 0 THEN 'INBOX' ELSE 'Archive' END, 1, u, 'fp' || u, 1000, timestamptz '2024-01-01' + u * interval '1 day',
            'Subject ' || u,
            CASE WHEN u <= 17 THEN 'migrated' WHEN u = 18 THEN 'excluded' WHEN u = 19 THEN 'failed' ELSE 'in_doubt' END,
            CASE WHEN u = 19 THEN 'ITEM_REJECTED' WHEN u = 18 THEN 'FILTER' END,
            CASE WHEN u = 19 THEN 'NO [LIMIT] message rejected' WHEN u = 18 THEN 'maxsize=500' END,
            CASE WHEN u = 19 THEN 2 ELSE 0 END,
            CASE WHEN sel.n % 2 = 0 THEN $3::timestamptz - interval '5 minutes' ELSE $3::timestamptz - interval '2 hours' END
       FROM sel CROSS JOIN generate_series(1, 20) AS u WHERE sel.n < $2`,
    [projectId, withHistory, NOW],
  );
  await pool.query(
    `WITH sel AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM pairs WHERE project_id = $1)
     INSERT INTO passes (pair_id, kind, status, started_at, finished_at, counts)
     SELECT sel.id, 'full', 'completed_with_errors', $3::timestamptz - interval '3 hours', $3::timestamptz - interval '3 hours' + interval '10 seconds',
            '{"folders": 2, "copied": 17, "bytes": 17000, "failed": 1}'::jsonb
       FROM sel WHERE sel.n < $2`,
    [projectId, withHistory, NOW],
  );
}

void describe('reports on 300 pairs', () => {
  let projectId = '';
  let pairIds: string[] = [];
  before(async () => {
    ({ projectId, pairIds } = await projectOf('reports300', 300));
    await seedHistory(projectId, 200);
  });

  void test('project totals, progress and time left', async () => {
    const report = await projectReport(pool, projectId, NOW);
    assert.equal(report.pairs.total, 300);
    assert.deepEqual([report.pairs.byState.completed, report.pairs.byState.failed, report.pairs.byState.idle], [180, 20, 100]);
    assert.deepEqual(report.items, { migrated: 200 * 17, excluded: 200, failed: 200, inDoubt: 200 });
    assert.equal(report.bytes, 200 * 17 * 1000);
    assert.equal(report.passes, 200);
    // Window: the last 30 minutes (the first pass was 3 hours ago); half the pairs migrated 17,000 bytes in it.
    assert.equal(report.throughput.windowSeconds, 1800);
    assert.equal(report.throughput.bytesPerSecond, Math.round((100 * 17_000) / 1800));
    // Left: 100 idle pairs × 17,000 (the completed average), and failed pairs have all of it already.
    const left = 100 * 17_000;
    assert.equal(report.progressPercent, Math.round((3_400_000 / (3_400_000 + left)) * 1000) / 10);
    assert.equal(report.estimatedSecondsLeft, Math.ceil(left / ((100 * 17_000) / 1800)));
    assert.equal(report.pairRows.length, 300);
  });

  void test('pair report: passes, items, bytes, rate, last error', async () => {
    const failedPair = await pairReport(pool, pairIds[9] ?? '', NOW);
    assert.equal(failedPair.state, 'failed');
    assert.deepEqual([failedPair.migrated, failedPair.excluded, failedPair.failed, failedPair.inDoubt], [17, 1, 1, 1]);
    assert.equal(failedPair.bytes, 17_000);
    assert.equal(failedPair.passes, 1);
    assert.equal(failedPair.lastPassKind, 'full');
    assert.equal(failedPair.bytesPerSecond, 1700);
    assert.equal(failedPair.itemsPerSecond, 1.7);
    assert.deepEqual([failedPair.lastErrorCode, failedPair.lastErrorText], ['IMAP_AUTH_FAILED', 'AUTHENTICATIONFAILED']);
    assert.equal(failedPair.batchName, 'All');
    const idle = await pairReport(pool, pairIds[250] ?? '', NOW);
    assert.deepEqual([idle.passes, idle.migrated, idle.bytesPerSecond, idle.lastPassKind], [0, 0, null, null]);
    await assert.rejects(pairReport(pool, '99999999'), (e: unknown) => e instanceof AppError && e.code === 'PAIR_NOT_FOUND');
  });

  void test('failed items with folder, subject, date, size and reason; paging; CSV', async () => {
    const page = await failedItems(pool, { projectId, limit: 50, offset: 0 });
    assert.equal(page.total, 200);
    assert.equal(page.items.length, 50);
    const first = page.items[0];
    assert.deepEqual(
      [first?.folder, first?.subject, first?.date.toISOString(), first?.size, first?.reasonCode, first?.reasonText, first?.attempts],
      ['Archive', 'Subject 19', '2024-01-20T00:00:00.000Z', 1000, 'ITEM_REJECTED', 'NO [LIMIT] message rejected', 2],
    );
    assert.equal((await failedItems(pool, { projectId, limit: 50, offset: 1000 })).total, 200);
    assert.equal((await failedItems(pool, { pairId: pairIds[0] ?? '', limit: 50, offset: 0 })).total, 1);
    const csv = toCsv(page.items);
    assert.equal(csv.split('\r\n').length, 52);
    assert.match(csv, /^pairId,sourceEmail,targetEmail,folder,uidValidity,uid,subject,date,size,reasonCode,reasonText,attempts,lastTriedAt\r\n/);
    const report = await projectReport(pool, projectId, NOW);
    assert.equal(toCsv(report.pairRows).split('\r\n').length, 302);
  });

  void test('verify findings: stored per pass, the latest pass by default', async () => {
    const pairId = pairIds[0] ?? '';
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO passes (pair_id, kind, status, finished_at) VALUES ($1, 'verify', 'completed', now()), ($1, 'verify', 'completed', now()) RETURNING id`,
      [pairId],
    );
    const [older, newer] = rows.map((r) => String(r.id));
    await insertFindings(pool, older ?? '', pairId, [{ kind: 'missing_on_target', sourceFolder: 'INBOX', uidValidity: 1n, uid: 4, subject: 'gone', detail: 'not on the target' }]);
    const n = await insertFindings(pool, newer ?? '', pairId, [
      { kind: 'extra_on_target', targetFolder: 'INBOX', targetUid: 99 },
      { kind: 'not_migrated', sourceFolder: 'INBOX', uidValidity: 1, uid: 7, subject: null, detail: null },
    ]);
    assert.equal(n, 2);
    const latest = await listFindings(pool, pairId);
    assert.deepEqual(latest.map((f) => [f.kind, f.passId]), [['extra_on_target', newer], ['not_migrated', newer]]);
    const first = await listFindings(pool, pairId, older);
    assert.deepEqual(first.map((f) => [f.kind, f.uidValidity, f.uid, f.subject]), [['missing_on_target', 1n, 4, 'gone']]);
  });
});

void describe('5,000 pairs', () => {
  void test('import, re-import and report stay fast (bulk SQL, no per-pair round trips)', async () => {
    let t = performance.now();
    const { projectId } = await projectOf('scale5000', 5000);
    const importMs = performance.now() - t;
    await seedHistory(projectId, 5000);
    const lines = ['source,target', ...Array.from({ length: 5000 }, (_, i) => `user${i}@old.example.com,user${i}@new.example.org`)];
    t = performance.now();
    const again = await importCsv(pool, key, projectId, lines.join('\n'), { batchName: 'All' });
    const reimportMs = performance.now() - t;
    assert.equal(again.unchanged, 5000);
    t = performance.now();
    const report = await projectReport(pool, projectId, NOW);
    const reportMs = performance.now() - t;
    assert.equal(report.pairRows.length, 5000);
    assert.equal(report.items.migrated, 5000 * 17);
    t = performance.now();
    const page = await failedItems(pool, { projectId, limit: 100, offset: 4900 });
    const failedMs = performance.now() - t;
    assert.equal(page.total, 5000);
    console.log(`5,000 pairs / 100,000 ledger rows: import ${importMs.toFixed(0)} ms, re-import ${reimportMs.toFixed(0)} ms, project report ${reportMs.toFixed(0)} ms, failed page ${failedMs.toFixed(0)} ms`);
    // Generous bounds (a loaded CI machine): per-pair round trips would take far longer.
    for (const ms of [importMs, reimportMs, reportMs, failedMs]) assert.ok(ms < 15_000, `${ms} ms`);
  });
});
