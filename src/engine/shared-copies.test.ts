import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImapSession } from '../connectors/imap/types.ts';
import { SharedCopies, type LaneSessions } from './shared-copies.ts';

const sessions = (name: string): LaneSessions => ({ source: { name } as unknown as ImapSession, target: { name } as unknown as ImapSession });
const nameOf = (s: LaneSessions): string => (s.source as unknown as { name: string }).name;
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A lane with no folder of its own: takes shares until none can come. */
async function helper(share: SharedCopies, name: string, failConnect = false): Promise<void> {
  for (let task = await share.next(); task; task = await share.next()) {
    await task.start(() => (failConnect ? Promise.reject(new Error(`${name} cannot connect`)) : Promise.resolve(sessions(name)))).catch(() => undefined);
  }
}

test('every share is copied exactly once, by the owner or a helper; helpers stop when no folder is left', async () => {
  const share = new SharedCopies();
  const ran: Array<[number, string]> = [];
  share.laneBusy(true);
  const helpers = [helper(share, 'h1'), helper(share, 'h2')];
  await share.run(7, sessions('owner'), async (index, s) => {
    await tick(5);
    ran.push([index, nameOf(s)]);
  });
  share.laneBusy(false);
  await Promise.all(helpers);
  assert.deepEqual(ran.map(([i]) => i).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(ran.find(([i]) => i === 0)?.[1], 'owner', 'the first share is the owner\'s');
  assert.ok(new Set(ran.map(([, n]) => n)).size >= 2, `helpers took part: ${JSON.stringify(ran)}`);
});

test('a failed share: no new share starts, and the owner throws only after shares in flight have settled', async () => {
  const share = new SharedCopies();
  const events: string[] = [];
  share.laneBusy(true);
  const helpers = [helper(share, 'h1'), helper(share, 'h2')];
  await assert.rejects(share.run(10, sessions('owner'), async (index, s) => {
    events.push(`start ${index} ${nameOf(s)}`);
    if (nameOf(s) === 'h1') {
      await tick(2);
      throw new Error('connection lost');
    }
    await tick(40);
    events.push(`end ${index}`);
  }), /connection lost/);
  const started = events.filter((e) => e.startsWith('start')).length;
  const ended = events.filter((e) => e.startsWith('end')).length;
  assert.equal(ended, started - 1, `every share that started and did not fail ended before run() threw: ${events.join(', ')}`);
  assert.ok(started < 10, 'shares after the failure were not started');
  share.laneBusy(false);
  await Promise.all(helpers);
});

test('a helper that cannot connect fails the folder instead of dropping its share', async () => {
  const share = new SharedCopies();
  const ran: number[] = [];
  share.laneBusy(true);
  const helpers = [helper(share, 'broken', true)];
  await assert.rejects(share.run(3, sessions('owner'), async (index) => {
    await tick(10);
    ran.push(index);
  }), /cannot connect/);
  share.laneBusy(false);
  await Promise.all(helpers);
  assert.ok(ran.length < 3, 'the share the broken helper took was not copied');
});

test('stop(): no further share starts and the folder ends without an error', async () => {
  const share = new SharedCopies();
  let copied = 0;
  await share.run(5, sessions('owner'), () => {
    copied++;
    return Promise.resolve();
  }, () => copied >= 2);
  assert.equal(copied, 2);
});

test('without helpers the owner copies every share in order', async () => {
  const share = new SharedCopies();
  const order: number[] = [];
  await share.run(4, sessions('owner'), (index) => {
    order.push(index);
    return Promise.resolve();
  });
  assert.deepEqual(order, [0, 1, 2, 3]);
});
