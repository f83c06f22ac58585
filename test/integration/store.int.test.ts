import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { AppError } from '../../src/core/app-error.ts';
import type { LedgerWrite } from '../../src/core/ledger.ts';
import { PAIR_LOCK_CLASS } from '../../src/store/advisory-locks.ts';
import { createPool, withTransaction } from '../../src/store/db.ts';
import { getEndpoint, upsertEndpoint, type EndpointInput } from '../../src/store/endpoint.repository.ts';
import { deleteFolderStates, getFolderStates, saveFolderState } from '../../src/store/folder-state.repository.ts';
import {
  claimedTargetUids, countByState, getFolderItems, listItems, pendingByFolder, rekeyItems, resetLedger, updateTargetFlags, writeItems,
} from '../../src/store/ledger.repository.ts';
import { listMigrations, migrate } from '../../src/store/migrate.ts';
import { acquirePairLock } from '../../src/store/pair-lock.ts';
import { getPair, upsertPair } from '../../src/store/pair.repository.ts';
import { finishPass, interruptStalePasses, listPasses, startPass } from '../../src/store/pass.repository.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';

let database: TestDatabase;
let pool: pg.Pool;
let pairId: string;

const endpoint = (host: string, adminUser: string | null = null): EndpointInput => ({
  protocol: 'imap', host, port: 993, tlsMode: 'implicit', tlsVerify: true, authKind: adminUser ? 'master' : 'password',
  adminUser, secretSealed: null, maxConnections: 4,
});

const item = (uid: number, over: Partial<LedgerWrite> = {}): LedgerWrite => ({
  sourceFolder: 'INBOX', uidValidity: 1n, uid, fingerprint: `fp-${uid}`, messageId: `<${uid}@x>`, size: 1000 + uid,
  internalDate: new Date(Date.UTC(2024, 0, 1, 0, 0, uid % 60)), subject: `s${uid}`, state: 'migrated',
  targetFolder: 'INBOX', targetUidValidity: 7n, targetUid: uid + 100, ...over,
});

before(async () => {
  database = await testDatabase('store_int');
  pool = createPool(database.url);
});

after(async () => {
  await pool.end();
  await database.drop();
});

void describe('migrate', () => {
  void test('applies once even when three pools start at once, then is idempotent', async () => {
    const pools = [createPool(database.url), createPool(database.url), createPool(database.url)];
    try {
      const results = await Promise.all(pools.map((p) => migrate(p)));
      const all = results.flat();
      const files = await listMigrations();
      assert.deepEqual(all.sort(), files.map((f) => f.name).sort(), 'each migration applied by exactly one pool');
      assert.deepEqual(await migrate(pool), []);
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
      assert.equal(Number(rows[0]?.n), files.length);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  void test('a failing migration names its file and leaves nothing half-applied', async () => {
    const other = await testDatabase('store_int_badmig');
    const p = createPool(other.url);
    try {
      const dir = await mkdtemp(path.join(tmpdir(), 'cutover-mig-'));
      const [first] = await listMigrations();
      assert.ok(first);
      await copyFile(first.file, path.join(dir, first.name));
      await writeFile(path.join(dir, '0002_broken.sql'), 'CREATE TABLE half_done (x int);\nSELECT * FROM no_such_table;');
      await assert.rejects(migrate(p, { dir }), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'DB_MIGRATION_FAILED');
        assert.equal(err.details['file'], '0002_broken.sql');
        assert.match(err.message, /0002_broken\.sql/);
        return true;
      });
      const { rows } = await p.query<{ t: string | null }>(`SELECT to_regclass('half_done')::text AS t`);
      assert.equal(rows[0]?.t, null);
      const versions = await p.query<{ version: number }>('SELECT version FROM schema_migrations');
      assert.deepEqual(versions.rows.map((r) => r.version), [1]);
    } finally {
      await p.end();
      await other.drop();
    }
  });
});

void describe('repositories', () => {
  before(async () => {
    await migrate(pool);
    const source = await upsertEndpoint(pool, endpoint('source.test'));
    const target = await upsertEndpoint(pool, endpoint('target.test', 'admin'));
    pairId = await upsertPair(pool, { sourceEndpointId: source, targetEndpointId: target, sourceUser: 'a', targetUser: 'b' });
  });

  void test('endpoints and pairs upsert onto the same row (also with admin_user NULL)', async () => {
    const id1 = await upsertEndpoint(pool, endpoint('dup.test'));
    const id2 = await upsertEndpoint(pool, { ...endpoint('dup.test'), maxConnections: 9, secretSealed: Buffer.from([1, 2, 3]) });
    assert.equal(id1, id2);
    const stored = await getEndpoint(pool, id1);
    assert.equal(stored?.maxConnections, 4, 'an existing endpoint keeps its settings');
    assert.deepEqual(stored?.secretSealed, Buffer.from([1, 2, 3]), 'a new secret replaces the old one');
    // `cutover sync` stores no secret: it must not wipe one a project stored.
    assert.equal(await upsertEndpoint(pool, { ...endpoint('dup.test'), secretSealed: null }), id1);
    assert.deepEqual((await getEndpoint(pool, id1))?.secretSealed, Buffer.from([1, 2, 3]));
    assert.equal(stored?.adminUser, null);
    assert.notEqual(await upsertEndpoint(pool, endpoint('dup.test', 'admin')), id1);
    assert.equal(await getEndpoint(pool, '999999'), null);

    const pair = await getPair(pool, pairId);
    assert.ok(pair);
    assert.equal(await upsertPair(pool, pair), pairId);
    assert.equal(pair.state, 'idle');
  });

  void test('writeItems upserts a big batch in one statement and counts failed attempts', async () => {
    const batch = Array.from({ length: 3000 }, (_, i) => item(i + 1, { flags: i === 0 ? ['\\Seen'] : undefined }));
    let statements = 0;
    const counting = { query: (...args: Parameters<pg.Pool['query']>) => (statements++, pool.query(...args)) } as unknown as pg.Pool;
    await writeItems(counting, pairId, null, batch);
    assert.equal(statements, 1);
    const pass = await startPass(pool, { pairId, kind: 'full', worker: 'test' });
    const failed = item(2, { state: 'failed', targetFolder: null, targetUid: null, targetUidValidity: null, reasonCode: 'ITEM_REJECTED', reasonText: 'no' });
    await writeItems(pool, pairId, pass.id, [failed]);
    await writeItems(pool, pairId, pass.id, [failed, item(3, { state: 'in_doubt', targetUid: null })]);
    await writeItems(pool, pairId, pass.id, [item(1, { subject: 'changed' })]);

    const items = await getFolderItems(pool, pairId, 'INBOX');
    assert.equal(items.length, 3000);
    const [one, two, three] = items;
    assert.equal(one?.subject, 'changed');
    assert.deepEqual(one?.flags, ['\\Seen'], 'flags kept when the write has none');
    assert.equal(one?.attempts, 0);
    assert.equal(two?.state, 'failed');
    assert.equal(two?.attempts, 2);
    assert.equal(two?.reasonCode, 'ITEM_REJECTED');
    assert.equal(two?.targetUid, null);
    assert.equal(three?.state, 'in_doubt');
    assert.equal(typeof one?.uidValidity, 'bigint');
    assert.equal(one?.targetUidValidity, 7n);
    assert.equal(one?.size, 1001);
    const { rows } = await pool.query<{ last_pass_id: string }>('SELECT last_pass_id FROM ledger_items WHERE pair_id = $1 AND uid = 2', [pairId]);
    assert.equal(rows[0]?.last_pass_id, pass.id);

    assert.deepEqual(await countByState(pool, pairId), { migrated: 2998, failed: 1, in_doubt: 1, excluded: 0 });
    assert.deepEqual(await pendingByFolder(pool, pairId), new Map([['INBOX', 2]]));
    const claimed = await claimedTargetUids(pool, pairId, 'INBOX', 7n);
    assert.equal(claimed.size, 2998);
    assert.ok(claimed.has(101) && !claimed.has(102) && !claimed.has(103));
    assert.equal((await claimedTargetUids(pool, pairId, 'INBOX', 8n)).size, 0);
    assert.equal((await claimedTargetUids(pool, pairId, 'INBOX', null)).size, 2998);
    const page = await listItems(pool, pairId, { state: 'migrated', limit: 2, offset: 1 });
    assert.deepEqual(page.map((i) => i.uid), [4, 5]);

    assert.equal(await updateTargetFlags(pool, pairId, [{ sourceFolder: 'INBOX', uidValidity: 1n, uid: 4, flags: ['\\Flagged'] }]), 1);
    assert.deepEqual((await listItems(pool, pairId, { sourceFolder: 'INBOX', limit: 1, offset: 3 }))[0]?.flags, ['\\Flagged']);
  });

  void test('rekeyItems moves items to a new UIDVALIDITY, also chained moves, and is atomic on conflict', async () => {
    await writeItems(pool, pairId, null, [1, 2, 3].map((uid) => item(uid, { sourceFolder: 'Rekey', state: uid === 2 ? 'failed' : 'migrated' })));
    const moved = await rekeyItems(pool, pairId, 'Rekey', [
      { fromUidValidity: 1n, fromUid: 1, toUidValidity: 2n, toUid: 2 },
      { fromUidValidity: 1n, fromUid: 2, toUidValidity: 2n, toUid: 1 },
      { fromUidValidity: 1n, fromUid: 99, toUidValidity: 2n, toUid: 99 },
    ]);
    assert.equal(moved, 2);
    // A chain inside one UIDVALIDITY (3 -> 4 while nothing else is at 4) and a swap (1 <-> 2).
    assert.equal(await rekeyItems(pool, pairId, 'Rekey', [
      { fromUidValidity: 2n, fromUid: 1, toUidValidity: 2n, toUid: 2 },
      { fromUidValidity: 2n, fromUid: 2, toUidValidity: 2n, toUid: 1 },
    ]), 2);
    const items = await getFolderItems(pool, pairId, 'Rekey');
    assert.deepEqual(items.map((i) => [i.uidValidity, i.uid, i.fingerprint, i.state]), [
      [1n, 3, 'fp-3', 'migrated'],
      [2n, 1, 'fp-1', 'migrated'],
      [2n, 2, 'fp-2', 'failed'],
    ]);
    await assert.rejects(rekeyItems(pool, pairId, 'Rekey', [
      { fromUidValidity: 1n, fromUid: 3, toUidValidity: 2n, toUid: 5 },
      { fromUidValidity: 2n, fromUid: 1, toUidValidity: 2n, toUid: 2 }, // onto an item that stays
    ]));
    assert.deepEqual((await getFolderItems(pool, pairId, 'Rekey')).map((i) => [i.uidValidity, i.uid]), [[1n, 3], [2n, 1], [2n, 2]]);
  });

  void test('folder states, and resetLedger per folder then per pair', async () => {
    for (const folder of ['INBOX', 'Rekey', 'Sent']) {
      await saveFolderState(pool, {
        pairId, sourceFolder: folder, targetFolder: folder, uidValidity: 1n, uidNext: 10, highestModseq: 18446744073709551615n,
        messages: 9, filterHash: 'h', lastSyncedAt: new Date(),
      });
    }
    await saveFolderState(pool, { ...(await getFolderStates(pool, pairId)).get('Sent')!, uidNext: 11 });
    const states = await getFolderStates(pool, pairId);
    assert.equal(states.size, 3);
    assert.equal(states.get('Sent')?.uidNext, 11);
    assert.equal(states.get('INBOX')?.highestModseq, 18446744073709551615n, 'numeric(20) keeps the full 64-bit MODSEQ');
    assert.equal(await deleteFolderStates(pool, pairId, 'Sent'), 1);

    assert.deepEqual(await resetLedger(pool, pairId, 'Rekey'), { items: 3, folders: 1 });
    assert.equal((await getFolderItems(pool, pairId, 'Rekey')).length, 0);
    assert.equal((await getFolderItems(pool, pairId, 'INBOX')).length, 3000);
    assert.deepEqual([...(await getFolderStates(pool, pairId)).keys()], ['INBOX']);
    await withTransaction(pool, async (tx) => {
      assert.deepEqual(await resetLedger(tx, pairId), { items: 3000, folders: 1 });
    });
    assert.deepEqual(await countByState(pool, pairId), { migrated: 0, failed: 0, in_doubt: 0, excluded: 0 });
    assert.equal((await getFolderStates(pool, pairId)).size, 0);
  });

  void test('passes: start, interrupt stale, finish, list', async () => {
    const stale = await startPass(pool, { pairId, kind: 'delta', worker: 'w1' });
    assert.equal(stale.status, 'running');
    assert.ok(await interruptStalePasses(pool, pairId) >= 1);
    const pass = await startPass(pool, { pairId, kind: 'final', worker: 'w2' });
    await finishPass(pool, pass.id, { status: 'completed', counts: { folders: 2, copied: 5, alreadyThere: 1, skipped: 0, excluded: 0, failed: 0, bytes: 99, flagsUpdated: 0 } });
    const [latest, previous] = await listPasses(pool, pairId, 2);
    assert.equal(latest?.id, pass.id);
    assert.equal(latest?.status, 'completed');
    assert.equal(latest?.counts.copied, 5);
    assert.ok(latest?.finishedAt instanceof Date);
    assert.equal(previous?.id, stale.id);
    assert.equal(previous?.status, 'interrupted');
    assert.equal(previous?.errorCode, 'PASS_INTERRUPTED');
  });
});

void describe('pair lock', () => {
  void test('one holder across pools; freed on release and when the holder connection drops', async () => {
    await migrate(pool);
    const poolA = createPool(database.url);
    const poolB = createPool(database.url);
    try {
      const a = await acquirePairLock(poolA, pairId);
      assert.ok(a);
      assert.equal(await acquirePairLock(poolB, pairId), null);
      assert.equal(await acquirePairLock(poolA, pairId), null, 'another session of the same process is refused too');
      const other = await acquirePairLock(poolB, String(Number(pairId) + 1));
      assert.ok(other, 'other pairs are independent');
      await other.release();
      await a.release();
      await a.release();

      const b = await acquirePairLock(poolB, pairId);
      assert.ok(b);
      // Simulate a killed worker: its connection drops.
      const { rows } = await pool.query<{ pid: number }>(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND granted`,
        [PAIR_LOCK_CLASS, Number(pairId)],
      );
      assert.equal(rows.length, 1);
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      for (let i = 0; i < 100 && !b.signal.aborted; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(b.signal.aborted, true, 'the holder learns it lost the lock');
      const c = await acquirePairLock(poolA, pairId);
      assert.ok(c, 'the lock is free after the connection dropped');
      await b.release();
      await c.release();
    } finally {
      await poolA.end();
      await poolB.end();
    }
  });
});
