/**
 * Endpoint connection slots on a real PostgreSQL: the cap holds across "processes" (separate pools,
 * as separate workers have), a slot held by a process whose connection dies is free at once,
 * reservations shrink to what is free and wait when nothing is, and waiting is fair.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { until } from '../helpers/until.ts';
import { EndpointSlots, endpointWaitKey } from '../../src/store/endpoint-slots.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';

describe('endpoint slots', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  const newPool = (): pg.Pool => {
    const pool = new pg.Pool({ connectionString: database.url, max: 3 });
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };

  before(async () => {
    database = await testDatabase('endpoint_slots');
  });
  after(async () => {
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
    await database?.drop();
  });

  test('the cap holds across processes; reservations shrink, then wait, and resume when slots free', async () => {
    const a = new EndpointSlots(newPool());
    const b = new EndpointSlots(newPool());
    const req = [{ endpointId: '7', cap: 3, perUnit: 1 }, { endpointId: '8', cap: 10, perUnit: 1 }];
    const first = await a.reserve(req, { units: 2 });
    assert.equal(first.units, 2);
    const second = await b.reserve(req, { units: 2 });
    assert.equal(second.units, 1, 'only one slot of endpoint 7 was left');
    assert.equal(a.heldCount('7') + b.heldCount('7'), 3);
    assert.equal(a.heldCount('8'), 2, 'surplus slots of the other endpoint were given back');

    let waited = false;
    const third = a.reserve(req, { units: 1, onWait: () => (waited = true) });
    await until('the third reservation to wait', () => Promise.resolve(waited), 10_000);
    await second.release();
    const got = await third;
    assert.equal(got.units, 1);
    await Promise.all([first.release(), got.release()]);
    assert.equal(a.heldCount('7') + b.heldCount('7'), 0);
    await Promise.all([a.close(), b.close()]);
  });

  test('a process whose connection dies loses its slots at once', async () => {
    const dying = newPool();
    const a = new EndpointSlots(dying);
    const b = new EndpointSlots(newPool());
    const req = [{ endpointId: '9', cap: 2, perUnit: 1 }];
    const held = await a.reserve(req, { units: 2 });
    assert.equal(held.units, 2);
    // Kill a's backend as a SIGKILLed worker's connection would vanish.
    const admin = newPool();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND pid <> pg_backend_pid()`, [0x43757402]);
    const next = await b.reserve(req, { units: 2, pollMs: 100 });
    assert.equal(next.units, 2);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(held.signal.aborted, true, 'the holder learns that its slots are gone');
    await next.release();
    await b.close();
  });

  test('same endpoint on both sides takes two slots per lane; an impossible cap is refused', async () => {
    const a = new EndpointSlots(newPool());
    const r = await a.reserve([{ endpointId: '11', cap: 5, perUnit: 2 }], { units: 4 });
    assert.equal(r.units, 2);
    assert.equal(a.heldCount('11'), 4);
    await r.release();
    await assert.rejects(a.reserve([{ endpointId: '12', cap: 1, perUnit: 2 }], { units: 1 }), /ENDPOINT_INVALID|allows 1/);
    await a.close();
  });

  test('newcomers yield to passes already waiting', async () => {
    const a = new EndpointSlots(newPool());
    const b = new EndpointSlots(newPool());
    const observer = newPool();
    const req = [{ endpointId: '13', cap: 1, perUnit: 1 }];
    try {
      const held = await a.reserve(req, { units: 1 });
      const waiter = b.reserve(req, { units: 1, pollMs: 50 });
      // Wait until b is really registered as waiting (its marker lock is visible), not a fixed time:
      // on a loaded machine that can take longer than any sleep one would guess.
      const [, waitKey] = endpointWaitKey('13');
      for (let i = 0; i < 200; i++) {
        const { rows } = await observer.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND objid = $1::oid`, [waitKey]);
        if (Number(rows[0]?.n) > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await held.release();
      // a comes back at once, but b already waits: b gets the slot first.
      const again = a.reserve(req, { units: 1, pollMs: 50 });
      const winner = await Promise.race([waiter.then(() => 'b'), again.then(() => 'a')]);
      assert.equal(winner, 'b');
      await (await waiter).release();
      await (await again).release();
    } finally {
      // Closing the pools also ends any reservation still waiting, so a failure cannot hang the file.
      await Promise.all([a.close(), b.close(), observer.end()]);
    }
  });
});
