import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteBudget } from './byte-budget.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('takes and gives back; waits when full; release is idempotent', async () => {
  const budget = new ByteBudget(100);
  const a = await budget.acquire(60);
  assert.equal(budget.free, 40);
  let got = false;
  const pending = budget.acquire(50).then((release) => { got = true; return release; });
  await tick();
  assert.equal(got, false, 'waits while only 40 are free');
  a();
  a();
  const b = await pending;
  assert.equal(budget.free, 50);
  b();
  assert.equal(budget.free, 100);
});

test('a request over the capacity waits for all of it and holds all of it', async () => {
  const budget = new ByteBudget(100);
  const small = await budget.acquire(10);
  let huge: (() => void) | null = null;
  const hugePending = budget.acquire(500).then((r) => { huge = r; });
  await tick();
  assert.equal(huge, null);
  small();
  await hugePending;
  assert.equal(budget.free, 0);
  (huge as unknown as () => void)();
  assert.equal(budget.free, 100);
});

test('waiters are served in order: a large one is not starved by later small ones', async () => {
  const budget = new ByteBudget(100);
  const first = await budget.acquire(90);
  const order: string[] = [];
  const large = budget.acquire(80).then((r) => { order.push('large'); return r; });
  const small = budget.acquire(5).then((r) => { order.push('small'); return r; });
  await tick();
  assert.deepEqual(order, [], 'the small one queues behind the large one even though 10 are free');
  first();
  (await large)();
  (await small)();
  assert.deepEqual(order, ['large', 'small']);
  assert.equal(budget.free, 100);
});
