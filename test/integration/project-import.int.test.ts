import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { AppError } from '../../src/core/app-error.ts';
import { openSecret } from '../../src/core/secret-box.ts';
import { createEndpoint, getEndpointView, listEndpoints, updateEndpoint, type EndpointSpec } from '../../src/projects/endpoints.ts';
import { importCsv } from '../../src/projects/import-pairs.ts';
import { loadPairRef } from '../../src/projects/pair-endpoints.ts';
import { listBatches, upsertBatch } from '../../src/store/batch.repository.ts';
import { createPool } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { getProjectPair, listProjectPairs, markPairRunning, setPairPaused, setPairState, settlePairState } from '../../src/store/project-pair.repository.ts';
import { createProject, getProject, listProjects, setProjectPaused, updateProject } from '../../src/store/project.repository.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/csv/${name}`, import.meta.url), 'utf8');
const key = randomBytes(32);
let database: TestDatabase;
let pool: pg.Pool;

const spec = (over: Partial<EndpointSpec>): EndpointSpec => ({
  name: 'endpoint', host: 'imap.example.com', port: 993, tls: 'implicit', tlsVerify: true, authKind: 'password', maxConnections: 4, ...over,
});
const isCode = (code: string) => (err: unknown): boolean => err instanceof AppError && err.code === code;

before(async () => {
  database = await testDatabase('project_import_int');
  pool = createPool(database.url);
  await migrate(pool);
});

after(async () => {
  await pool.end();
  await database.drop();
});

void describe('endpoints', () => {
  void test('create, view without the secret, conflict on the same server and login method, update, list', async () => {
    const id = await createEndpoint(pool, key, spec({ name: 'Old master', host: 'old.example.com', authKind: 'master', adminUser: 'admin', adminPassword: 'Master-Secret-1', masterMethod: 'separator', masterSeparator: '*' }));
    const view = await getEndpointView(pool, id);
    assert.equal(view?.hasSecret, true);
    assert.equal(view?.compress, 'auto', 'COMPRESS=DEFLATE defaults to auto');
    assert.equal(view?.masterSeparator, '*');
    assert.doesNotMatch(JSON.stringify(view), /Master-Secret/);
    await assert.rejects(createEndpoint(pool, key, spec({ name: 'again', host: 'old.example.com', authKind: 'master', adminUser: 'admin' })), isCode('ENDPOINT_CONFLICT'));
    await assert.rejects(createEndpoint(pool, key, spec({ port: 0 })), isCode('ENDPOINT_INVALID'));

    const renamed = await updateEndpoint(pool, key, id, { name: 'Old server', maxConnections: 8, compress: 'on' });
    assert.equal(renamed.name, 'Old server');
    assert.equal(renamed.hasSecret, true, 'the secret is kept when not given');
    assert.equal((await getEndpointView(pool, id))?.compress, 'on');
    await assert.rejects(updateEndpoint(pool, key, id, { compress: 'fast' as unknown as 'on' }),
      (err: unknown) => isCode('ENDPOINT_INVALID')(err) && /compress: one of auto, on, off/.test((err as Error).message));
    await assert.rejects(pool.query(`UPDATE endpoints SET compress_mode = 'fast' WHERE id = $1`, [id]), /check constraint/, 'the column takes auto, on or off only');
    const cleared = await updateEndpoint(pool, key, id, { adminPassword: null });
    assert.equal(cleared.hasSecret, false);
    assert.equal(cleared.compress, 'on', 'a change that does not name compress keeps it');
    const off = await createEndpoint(pool, key, spec({ name: 'Far', host: 'far.example.com', compress: 'off' }));
    assert.equal((await getEndpointView(pool, off))?.compress, 'off');
    await updateEndpoint(pool, key, id, { adminPassword: 'Master-Secret-2' });
    assert.ok((await listEndpoints(pool)).some((e) => e.id === id && e.hasSecret));
    await assert.rejects(updateEndpoint(pool, key, '999999', { name: 'x' }), isCode('ENDPOINT_NOT_FOUND'));
  });
});

void describe('projects and batches', () => {
  void test('create, name conflict, bad time zone, update, pause, list with pair counts', async () => {
    const p = await createProject(pool, { name: 'Acme', timeZone: 'Europe/Berlin', domains: ['acme.example'], cutoverAt: new Date('2025-06-01T18:00:00Z') });
    assert.equal(p.status, 'draft');
    await assert.rejects(createProject(pool, { name: 'Acme' }), isCode('PROJECT_CONFLICT'));
    await assert.rejects(createProject(pool, { name: 'Zoned', timeZone: 'Mars/Olympus' }), isCode('PROJECT_INVALID'));
    await assert.rejects(updateProject(pool, p.id, { sourceEndpointId: '424242' }), isCode('PROJECT_INVALID'));
    const changed = await updateProject(pool, p.id, { settings: { syncFlags: true }, cutoverAt: null });
    assert.deepEqual(changed.settings, { syncFlags: true });
    assert.equal(changed.cutoverAt, null);
    assert.equal(changed.timeZone, 'Europe/Berlin');
    assert.equal((await setProjectPaused(pool, p.id, true)).paused, true);
    assert.equal((await getProject(pool, p.id))?.paused, true);
    assert.equal(await getProject(pool, 'nope'), null);
    assert.ok((await listProjects(pool)).some((x) => x.id === p.id && x.pairCount === 0));
  });

  void test('one test batch per project; upsert keeps the mark', async () => {
    const p = await createProject(pool, { name: 'Batches' });
    const test1 = await upsertBatch(pool, p.id, 'Pilot', true);
    assert.equal((await upsertBatch(pool, p.id, 'Pilot', false)).isTest, true);
    await assert.rejects(upsertBatch(pool, p.id, 'Other', true), isCode('PROJECT_CONFLICT'));
    await upsertBatch(pool, p.id, 'Wave 1', false);
    assert.deepEqual((await listBatches(pool, p.id)).map((b) => [b.name, b.isTest]), [['Pilot', true], ['Wave 1', false]]);
    assert.equal(test1.name, 'Pilot');
  });
});

async function projectWith(name: string, source: Partial<EndpointSpec>, target: Partial<EndpointSpec>): Promise<string> {
  const sourceEndpointId = await createEndpoint(pool, key, spec({ name: `${name} source`, host: `src.${name}.example.com`, ...source }));
  const targetEndpointId = await createEndpoint(pool, key, spec({ name: `${name} target`, host: `dst.${name}.example.com`, ...target }));
  return (await createProject(pool, { name, sourceEndpointId, targetEndpointId })).id;
}

void describe('CSV import', () => {
  void test('MigrationWiz: created, then unchanged on the same file, one changed password re-sealed, passwords never shown', async () => {
    const projectId = await projectWith('mwiz', { compress: 'on' }, {});
    const text = fixture('migrationwiz.csv');
    const first = await importCsv(pool, key, projectId, text, { batchName: 'Pilot', isTestBatch: true });
    assert.deepEqual([first.format, first.rows, first.created, first.updated, first.unchanged, first.imported, first.errors.length], ['migrationwiz', 3, 3, 0, 0, true, 0]);
    const { pairs, total } = await listProjectPairs(pool, projectId, { limit: 10, offset: 0, sort: 'source' });
    assert.equal(total, 3);
    assert.deepEqual(pairs.map((p) => [p.sourceUser, p.batchName, p.hasSourcePassword, p.state]), [
      ['alice@old.example.com', 'Pilot', true, 'idle'], ['bob', 'Pilot', true, 'idle'], ['carol.smith', 'Pilot', true, 'idle'],
    ]);
    assert.doesNotMatch(JSON.stringify(pairs), /pa,ss|src-pw|Target-Pw/);
    const sealedBefore = await pool.query<{ s: Buffer }>('SELECT source_secret_sealed AS s FROM pairs WHERE project_id = $1 ORDER BY id', [projectId]);

    const again = await importCsv(pool, key, projectId, text, { batchName: 'Pilot' });
    assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, 3]);
    const sealedAfter = await pool.query<{ s: Buffer }>('SELECT source_secret_sealed AS s FROM pairs WHERE project_id = $1 ORDER BY id', [projectId]);
    assert.deepEqual(sealedAfter.rows, sealedBefore.rows, 'unchanged passwords are not re-sealed');

    const changed = await importCsv(pool, key, projectId, text.replace('src-pw-2', 'src-pw-NEW'), { batchName: 'Pilot' });
    assert.deepEqual([changed.created, changed.updated, changed.unchanged], [0, 1, 2]);
    const bob = pairs[1];
    assert.ok(bob);
    const ref = await loadPairRef(pool, key, bob.id);
    assert.deepEqual(ref.source.auth, { kind: 'password', user: 'bob', password: 'src-pw-NEW' });
    assert.deepEqual(ref.target.auth, { kind: 'password', user: 'bob@new.example.org', password: 'Target-Pw-2' });
    assert.equal(ref.projectId, projectId);
    assert.equal(ref.source.host, 'src.mwiz.example.com');
    assert.deepEqual([ref.source.compress, ref.target.compress], ['on', 'auto'], 'each side logs in with its endpoint\'s COMPRESS=DEFLATE setting');

    // After a key change the stored secrets cannot be opened: importing the file again re-seals them.
    const otherKey = randomBytes(32);
    const rekeyed = await importCsv(pool, otherKey, projectId, text, { batchName: 'Pilot' });
    assert.deepEqual([rekeyed.updated, rekeyed.unchanged], [3, 0]);
    const sealed = await pool.query<{ s: Buffer }>('SELECT target_secret_sealed AS s FROM pairs WHERE id = $1', [bob.id]);
    assert.equal(openSecret(otherKey, sealed.rows[0]?.s ?? Buffer.alloc(0)), 'Target-Pw-2');
  });

  void test('bad rows: nothing written unless importValidRows; a dry run writes nothing', async () => {
    const projectId = await projectWith('badrows', {}, {});
    const text = fixture('migrationwiz-bad-rows.csv');
    const refused = await importCsv(pool, key, projectId, text, { batchName: 'Wave 1' });
    assert.equal(refused.imported, false);
    assert.deepEqual(refused.errors.map((e) => e.line), [3, 4, 8, 9, 10, 11]);
    assert.match(refused.errors.find((e) => e.line === 8)?.message ?? '', /^line 8: duplicate source .* first on line 2$/);
    assert.equal((await listProjectPairs(pool, projectId, { limit: 10, offset: 0 })).total, 0);
    assert.deepEqual(await listBatches(pool, projectId), [], 'no batch created either');

    const preview = await importCsv(pool, key, projectId, text, { batchName: 'Wave 1', importValidRows: true, dryRun: true });
    assert.deepEqual([preview.created, preview.imported, preview.batchId], [2, false, null]);
    assert.equal((await listProjectPairs(pool, projectId, { limit: 10, offset: 0 })).total, 0);
    assert.deepEqual(await listBatches(pool, projectId), []);

    const partial = await importCsv(pool, key, projectId, text, { batchName: 'Wave 1', importValidRows: true });
    assert.deepEqual([partial.created, partial.imported, partial.errors.length], [2, true, 6]);
    assert.equal((await listBatches(pool, projectId))[0]?.pairCount, 2);
  });

  void test('Microsoft 365 form into a master target; admin form; targets stay unique across imports', async () => {
    const projectId = await projectWith('m365', {}, { authKind: 'master', adminUser: 'admin@new.example.org', adminPassword: 'Tgt-Admin-Pw' });
    const result = await importCsv(pool, key, projectId, fixture('m365-bom-crlf.csv'));
    assert.deepEqual([result.format, result.created, result.errors.length], ['m365', 2, 0]);
    const { pairs } = await listProjectPairs(pool, projectId, { limit: 10, offset: 0, search: 'BOB' });
    assert.equal(pairs.length, 1);
    const ref = await loadPairRef(pool, key, pairs[0]?.id ?? '');
    assert.deepEqual(ref.target.auth, { kind: 'master', user: 'bob@new.example.org', adminUser: 'admin@new.example.org', password: 'Tgt-Admin-Pw', method: 'authzid' });

    const clash = await importCsv(pool, key, projectId, 'EmailAddress,UserName,Password\r\nbob@new.example.org,someone-else,pw\r\n');
    assert.equal(clash.imported, false);
    assert.match(clash.errors[0]?.message ?? '', /^line 2: duplicate target "bob@new.example.org": it is the target of pair \d+ \(source "bob"\) already$/);

    const admin = await importCsv(pool, key, projectId, fixture('admin.csv'));
    assert.equal(admin.imported, false, 'the admin form needs master access on the source too');
    assert.equal(admin.errors.length, 2);
  });

  void test('a pair without any usable secret cannot be loaded; pair state and pause switches', async () => {
    const projectId = await projectWith('nosecret', { authKind: 'master', adminUser: 'root' }, { authKind: 'master', adminUser: 'root' });
    const result = await importCsv(pool, key, projectId, fixture('admin.csv'));
    assert.equal(result.created, 2);
    const { pairs } = await listProjectPairs(pool, projectId, { limit: 1, offset: 1, sort: '-source' });
    const pair = pairs[0];
    assert.equal(pair?.sourceUser, 'alice@old.example.com');
    await assert.rejects(loadPairRef(pool, key, pair?.id ?? ''), isCode('PAIR_CREDENTIALS_MISSING'));
    await assert.rejects(loadPairRef(pool, key, '987654'), isCode('PAIR_NOT_FOUND'));

    await setPairState(pool, pair?.id ?? '', 'failed', { code: 'IMAP_AUTH_FAILED', text: 'bad password' });
    await setPairPaused(pool, pair?.id ?? '', true);
    let stored = await getProjectPair(pool, pair?.id ?? '');
    assert.deepEqual([stored?.state, stored?.lastErrorCode, stored?.paused], ['failed', 'IMAP_AUTH_FAILED', true]);
    await setPairState(pool, pair?.id ?? '', 'queued');
    stored = await getProjectPair(pool, pair?.id ?? '');
    assert.equal(stored?.lastErrorCode, 'IMAP_AUTH_FAILED', 'absent error keeps the last one');
    await setPairState(pool, pair?.id ?? '', 'completed', null);
    assert.equal((await getProjectPair(pool, pair?.id ?? ''))?.lastErrorCode, null);
    assert.equal((await listProjectPairs(pool, projectId, { limit: 10, offset: 0, state: 'completed' })).total, 1);
    await assert.rejects(setPairState(pool, '999999', 'idle'), isCode('PAIR_NOT_FOUND'));
  });

  void test("a worker's final state never overwrites a stop or a pause that landed while the pass finished", async () => {
    const projectId = await projectWith('settle', { authKind: 'master', adminUser: 'root' }, { authKind: 'master', adminUser: 'root' });
    await importCsv(pool, key, projectId, fixture('admin.csv'));
    const id = (await listProjectPairs(pool, projectId, { limit: 1, offset: 0 })).pairs[0]?.id ?? '';
    const read = async () => { const p = await getProjectPair(pool, id); return [p?.state, p?.lastErrorCode]; };

    assert.equal(await markPairRunning(pool, id), true);
    assert.equal(await settlePairState(pool, id, 'completed', null), 'completed', 'nobody intervened: the worker decides');
    assert.equal(await markPairRunning(pool, id), true);
    await setPairState(pool, id, 'stopped'); // stopPair, while the worker finishes
    assert.equal(await settlePairState(pool, id, 'failed', { code: 'IMAP_CONNECT_FAILED', text: 'gone' }), 'stopped');
    assert.deepEqual(await read(), ['stopped', 'IMAP_CONNECT_FAILED'], 'the stop stays; the error is still recorded');
    assert.equal(await markPairRunning(pool, id), false, 'a stopped pair is not marked running');
    assert.equal(await settlePairState(pool, id, 'queued'), 'stopped', 'a handed-back pass does not requeue a stopped pair');

    await setPairState(pool, id, 'running');
    await setPairPaused(pool, id, true); // pausePair
    assert.equal(await settlePairState(pool, id, 'completed', null), 'paused');
    assert.deepEqual(await read(), ['paused', null]);
    await assert.rejects(settlePairState(pool, '999999', 'completed'), isCode('PAIR_NOT_FOUND'));
  });
});
