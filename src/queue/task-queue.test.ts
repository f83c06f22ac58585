import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PgBoss } from 'pg-boss';
import { isAppError } from '../core/app-error.ts';
import { taskQueueOptions } from './boss.ts';
import { createTaskQueue } from './task-queue.ts';
import { parseTaskData, TASKS } from './task-registry.ts';

function fakeBoss(): { boss: PgBoss; sent: Array<{ name: string; data: unknown; options: unknown }> } {
  const sent: Array<{ name: string; data: unknown; options: unknown }> = [];
  const boss = {
    send: (name: string, data: unknown, options: unknown) => {
      sent.push({ name, data, options });
      return Promise.resolve(sent.length === 1 ? 'job-1' : null);
    },
  } as unknown as PgBoss;
  return { boss, sent };
}

test('enqueue validates the data and keys the job by pair (stately singleton)', async () => {
  const { boss, sent } = fakeBoss();
  const queue = createTaskQueue(boss);
  assert.equal(await queue.enqueue('sync-pair', { pairId: '42', kind: 'full' }), 'job-1');
  assert.equal(await queue.enqueue('sync-pair', { pairId: '42', kind: 'delta' }, { priority: 5 }), null);
  assert.deepEqual(sent[0], { name: 'sync-pair', data: { pairId: '42', kind: 'full' }, options: { singletonKey: 'pair:42' } });
  assert.deepEqual(sent[1]?.options, { singletonKey: 'pair:42', priority: 5 });
});

test('bad data and unknown tasks are refused before anything is sent', async () => {
  const { boss, sent } = fakeBoss();
  const queue = createTaskQueue(boss);
  await assert.rejects(queue.enqueue('sync-pair', { pairId: 'x1', kind: 'full' }), (err) => isAppError(err) && err.code === 'TASK_DATA_INVALID' && /pairId/.test(err.message));
  await assert.rejects(queue.enqueue('sync-pair', { pairId: '1', kind: 'sideways' as 'full' }), /kind/);
  assert.throws(() => parseTaskData('no-such-task', {}), /no task is named/);
  assert.equal(sent.length, 0);
});

test('every task queue is stately with heartbeats, retries and expiry from the settings', () => {
  const options = taskQueueOptions({ schema: 'pgboss', heartbeatSeconds: 10, superviseSeconds: 5, retryLimit: 20, expireSeconds: 3600 });
  assert.equal(options.policy, 'stately');
  assert.equal(options.heartbeatSeconds, 10);
  assert.equal(options.retryLimit, 20);
  assert.equal(options.expireInSeconds, 3600);
  assert.deepEqual(Object.keys(TASKS), ['sync-pair']);
});
