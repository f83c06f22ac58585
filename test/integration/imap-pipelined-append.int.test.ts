/**
 * Pipelined single APPENDs (src/connectors/imap/pipelined-append.ts) against real Dovecot 2.3
 * instances without MULTIAPPEND: with LITERAL+ (one round trip per request) and with synchronizing
 * literals only (one per message, and commands refused before `+`), the round trips saved behind a
 * delay proxy, and a connection cut mid-request. What was stored is read back with a separate plain
 * ImapFlow connection (test/helpers/seed-mailbox.ts), never through the connector itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { startDelayProxy } from '../../bench/delay-proxy.ts';
import { isAppError } from '../../src/core/app-error.ts';
import type { ImapEndpoint } from '../../src/core/endpoint.ts';
import { appendOne } from '../../src/connectors/imap/append.ts';
import { connectImap as connectConnector, readServerInfo } from '../../src/connectors/imap/connect.ts';
import { openImapSession } from '../../src/connectors/imap/imap-session.ts';
import { pipelinedAppend } from '../../src/connectors/imap/pipelined-append.ts';
import type { AppendItem, AppendItemResult, ImapSession } from '../../src/connectors/imap/types.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { connectImap } from '../helpers/seed-mailbox.ts';

/** Dovecot's quota plugin refuses larger messages before its `+` with `NO [LIMIT]` (quota_max_mail_size). */
const APPEND_LIMIT = 400_000;
const FLAG_SETS = [[], ['\\Seen'], ['\\Seen', '\\Answered', '$Label1'], ['\\Flagged'], ['\\Draft', '$Work']];
let plusServer: DovecotInstance;
let minusServer: DovecotInstance;
let syncServer: DovecotInstance;

function endpoint(server: DovecotInstance, port = server.port): ImapEndpoint {
  return { host: server.host, port, tls: 'none', tlsVerify: true, auth: { kind: 'password', user: 'alice', password: 'alice-pw' }, maxConnections: 4, timeoutSeconds: 20 };
}

let counter = 0;
function message(body: string): Buffer {
  counter++;
  return Buffer.from(`Message-ID: <pipe-${counter}@cutover.test>\r\nDate: Mon, 3 Feb 2020 04:05:06 +0000\r\nFrom: Test <t@cutover.test>\r\nSubject: pipelined ${counter}\r\n\r\n${body}\r\n`, 'latin1');
}

/** `count` messages of mixed sizes (a few bytes to 5,000+, so LITERAL- would mix both forms), flags and dates; `special` replaces some. */
function mixedItems(count: number, special: Record<number, Buffer> = {}): AppendItem[] {
  return Array.from({ length: count }, (_, i) => ({
    content: special[i] ?? message('x'.repeat((i * 977) % 6000)),
    flags: FLAG_SETS[i % FLAG_SETS.length] ?? [],
    internalDate: new Date(Date.UTC(2001 + (i % 20), i % 12, 1 + (i % 28), i % 24, i % 60, (i * 7) % 60)),
  }));
}

const outcome = (r: AppendItemResult): number | string | null => ('uid' in r ? r.uid : r.error.code);

/** Fails instead of hanging: a hang is the failure this file exists to rule out. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Reads the folder back with a plain ImapFlow connection and compares bytes, flags and INTERNALDATE per UID. */
async function assertStored(server: DovecotInstance, folder: string, items: readonly AppendItem[], results: readonly AppendItemResult[]): Promise<void> {
  const check = await connectImap({ host: server.host, port: server.port, user: 'alice', password: 'alice-pw' });
  try {
    await check.mailboxOpen(folder, { readOnly: true });
    const got = new Map<number, { source: Buffer; flags: string[]; date: Date }>();
    for await (const m of check.fetch('1:*', { uid: true, source: true, flags: true, internalDate: true }, { uid: true })) {
      got.set(m.uid, { source: m.source as Buffer, flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(), date: new Date(m.internalDate as Date) });
    }
    const stored = results.flatMap((r, i) => ('uid' in r ? [[r.uid, items[i] as AppendItem] as const] : []));
    assert.equal(got.size, stored.length, 'exactly the reported messages are in the folder');
    for (const [uid, item] of stored) {
      const m = got.get(uid ?? -1);
      assert.ok(m, `UID ${uid} stored`);
      assert.ok(m.source.equals(item.content), `bytes of UID ${uid} identical`);
      assert.deepEqual(m.flags, [...item.flags].sort(), `flags of UID ${uid}`);
      assert.equal(m.date.getTime(), item.internalDate.getTime(), `INTERNALDATE of UID ${uid}`);
    }
  } finally {
    await check.logout();
  }
}

function assertAscending(results: readonly AppendItemResult[]): void {
  const uids = results.flatMap((r) => ('uid' in r && r.uid !== null ? [r.uid] : []));
  assert.deepEqual(uids, [...uids].sort((a, b) => a - b), 'UIDs ascending in item order');
  assert.equal(new Set(uids).size, uids.length);
}

before(async () => {
  [plusServer, minusServer, syncServer] = await Promise.all([
    startDovecot({ name: 'pipelined-plus', users: { alice: 'alice-pw' }, capabilities: 'IMAP4rev1 LITERAL+ UIDPLUS NAMESPACE', appendLimitBytes: APPEND_LIMIT }),
    // LITERAL- (RFC 7888 §5): literals up to 4,096 octets non-synchronizing, larger ones wait for `+`.
    startDovecot({ name: 'pipelined-minus', users: { alice: 'alice-pw' }, capabilities: 'IMAP4rev1 LITERAL- UIDPLUS NAMESPACE', appendLimitBytes: APPEND_LIMIT }),
    startDovecot({ name: 'pipelined-sync', users: { alice: 'alice-pw' }, capabilities: 'IMAP4rev1 UIDPLUS NAMESPACE', appendLimitBytes: APPEND_LIMIT }),
  ]);
});

after(async () => {
  await Promise.all([plusServer?.stop(), minusServer?.stop(), syncServer?.stop()]);
});

const MODES = { 'LITERAL+': 'plus', 'LITERAL-': 'minus', 'synchronizing literals': 'sync' } as const;
for (const kind of ['LITERAL+', 'LITERAL-', 'synchronizing literals'] as const) {
  describe(`no MULTIAPPEND, ${kind}`, () => {
    let server: DovecotInstance;
    let session: ImapSession;
    before(async () => {
      server = { 'LITERAL+': plusServer, 'LITERAL-': minusServer, 'synchronizing literals': syncServer }[kind];
      session = await openImapSession(endpoint(server));
      assert.equal(session.info.capabilities.has('MULTIAPPEND'), false);
      assert.equal(session.info.capabilities.has('LITERAL+'), kind === 'LITERAL+');
      assert.equal(session.info.capabilities.has('LITERAL-'), kind === 'LITERAL-');
    });
    after(async () => {
      await session.close();
    });

    test('50 mixed messages in one call: results in order, the empty and the too-large one fail alone', async () => {
      await session.createFolder('Mixed');
      // Empty: Dovecot refuses it (before `+` when synchronizing). Over the limit: `NO [LIMIT]`, also before `+`.
      const items = mixedItems(50, { 7: Buffer.alloc(0), 20: message('B'.repeat(300_000)), 33: message('T'.repeat(APPEND_LIMIT)) });
      const result = await within(30_000, session.append('Mixed', items));
      const expected = items.map((_, i) => (i === 7 ? 'ITEM_REJECTED' : i === 33 ? 'ITEM_TOO_LARGE' : 'uid'));
      assert.deepEqual(result.results.map((r) => ('uid' in r ? 'uid' : r.error.code)), expected);
      assert.equal(typeof result.uidValidity, 'bigint');
      assert.ok(result.results.every((r) => !('uid' in r) || r.uid !== null), 'every stored item has its APPENDUID');
      assertAscending(result.results);
      await assertStored(server, 'Mixed', items, result.results);
    });

    test('refused first, in the middle and last: the others stored, the connection still in step', async () => {
      await session.createFolder('Edges');
      const tooBig = (): Buffer => message('E'.repeat(APPEND_LIMIT));
      const items = mixedItems(5, { 0: tooBig(), 2: Buffer.alloc(0), 4: tooBig() });
      const result = await within(30_000, session.append('Edges', items));
      assert.deepEqual(result.results.map(outcome), ['ITEM_TOO_LARGE', 1, 'ITEM_REJECTED', 2, 'ITEM_TOO_LARGE']);
      const more = mixedItems(3);
      const again = await within(30_000, session.append('Edges', more));
      assert.deepEqual(again.results.map(outcome), [3, 4, 5], 'the next request is answered normally');
      await assertStored(server, 'Edges', [...items, ...more], [...result.results, ...again.results]);
    });

    test('a missing folder: every command refused (TRYCREATE), the session throws FOLDER_NOT_FOUND and goes on', async () => {
      const client = await connectConnector(endpoint(server));
      try {
        const piped = await within(30_000, pipelinedAppend(client, MODES[kind], '"Nowhere"', 'Nowhere', mixedItems(4)));
        assert.deepEqual(piped.results.map(outcome), Array(4).fill('FOLDER_NOT_FOUND'));
        const first = piped.results[0];
        assert.ok(first && 'error' in first);
        assert.equal(first.error.details['responseCode'], 'TRYCREATE');
        await client.noop();
        assert.equal(readServerInfo(client).capabilities.has('IMAP4REV1'), true);
      } finally {
        await client.logout();
      }
      await assert.rejects(session.append('Nowhere', mixedItems(3)), (err: unknown) => isAppError(err) && err.code === 'FOLDER_NOT_FOUND');
      await session.createFolder('After');
      assert.deepEqual((await session.append('After', mixedItems(2))).results.map(outcome), [1, 2]);
    });
  });
}

describe('round trips behind a 20 ms delay proxy (40 small messages)', () => {
  const RTT = 20;
  const COUNT = 40;
  const times: Record<string, number> = {};

  /** Appends COUNT messages one APPEND at a time (as before) and pipelined; returns both times in ms. */
  async function measure(server: DovecotInstance, label: string): Promise<{ single: number; pipelined: number }> {
    const proxy = await startDelayProxy({ targetHost: server.host, targetPort: server.port, rttMs: RTT });
    const session = await openImapSession(endpoint(server));
    const client: ImapFlow = await connectConnector(endpoint(server, proxy.port));
    try {
      const info = readServerInfo(client);
      for (const folder of [`${label}-single`, `${label}-pipelined`]) await session.createFolder(folder);
      const items = mixedItems(COUNT).map((item, i) => ({ ...item, content: message(`small ${i}`) }));
      let t0 = performance.now();
      const single: AppendItemResult[] = [];
      for (const item of items) single.push({ uid: (await appendOne(client, info.capabilities, `${label}-single`, item)).uid });
      const singleMs = performance.now() - t0;
      t0 = performance.now();
      const piped = await within(30_000, pipelinedAppend(client, info.capabilities.has('LITERAL+') ? 'plus' : 'sync', `"${label}-pipelined"`, `${label}-pipelined`, items));
      const pipelinedMs = performance.now() - t0;
      assert.deepEqual(piped.results.map(outcome), single.map(outcome), 'same UIDs in a fresh folder');
      await assertStored(server, `${label}-pipelined`, items, piped.results);
      times[`${label} single`] = singleMs;
      times[`${label} pipelined`] = pipelinedMs;
      return { single: singleMs, pipelined: pipelinedMs };
    } finally {
      await client.logout();
      await session.close();
      await proxy.stop();
    }
  }

  after(() => {
    console.log(`pipelined APPEND, ${COUNT} messages, rtt ${RTT} ms: ${Object.entries(times).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}`);
  });

  test('LITERAL+: the whole request costs about one round trip', async () => {
    const { single, pipelined } = await measure(plusServer, 'plus');
    assert.ok(single > COUNT * RTT * 0.9, `single ${Math.round(single)} ms: one round trip each`);
    // Compared with the single APPENDs of the same moment, not with a fixed time: on a loaded machine
    // the server's own work stretches both, but 40 round trips against about one stays far apart.
    assert.ok(pipelined < single / 3, `pipelined ${Math.round(pipelined)} ms vs single ${Math.round(single)} ms`);
  });

  test('synchronizing literals: one round trip per message instead of two', async () => {
    const { single, pipelined } = await measure(syncServer, 'sync');
    assert.ok(single > COUNT * RTT * 2 * 0.9, `single ${Math.round(single)} ms: two round trips each`);
    assert.ok(pipelined < single * 0.8, `pipelined ${Math.round(pipelined)} ms vs single ${Math.round(single)} ms`);
  });
});

describe('a connection cut mid-request', () => {
  for (const [kind, getServer] of [['LITERAL+', () => plusServer], ['synchronizing', () => syncServer]] as const) {
    test(`${kind}: answered items keep their UIDs, the rest are transient, nothing hangs`, async () => {
      const server = getServer();
      const folder = `Cut-${kind === 'LITERAL+' ? 'plus' : 'sync'}`;
      const setup = await openImapSession(endpoint(server));
      await setup.createFolder(folder);
      await setup.close();
      const proxy = await startFaultProxy(server.port);
      const session = await openImapSession(endpoint(server, proxy.port));
      try {
        const items = mixedItems(30).map((item, i) => ({ ...item, content: message(`${i} ${'c'.repeat(20_000)}`) }));
        proxy.cutAfterUpstreamBytes(250_000);
        let results: readonly AppendItemResult[] | null = null;
        try {
          results = (await within(30_000, session.append(folder, items))).results;
        } catch (err) {
          // Nothing answered before the cut: the whole call fails as a transient error (all in doubt).
          assert.ok(isAppError(err) && err.retry === 'transient', String(err));
        }
        const check = await connectImap({ host: server.host, port: server.port, user: 'alice', password: 'alice-pw' });
        const status = await check.status(folder, { messages: true });
        const stored = status ? (status.messages ?? 0) : -1;
        await check.logout();
        if (results) {
          const firstLost = results.findIndex((r) => 'error' in r);
          assert.ok(firstLost > 0, JSON.stringify(results.map(outcome)));
          assert.ok(results.slice(0, firstLost).every((r) => 'uid' in r && r.uid !== null), 'answered items before the cut');
          assert.ok(results.slice(firstLost).every((r) => 'error' in r && r.error.retry === 'transient'), 'every later item in doubt');
          assert.ok(stored >= firstLost && stored < items.length, `stored ${stored}, answered ${firstLost}`);
          console.log(`cut mid-request (${kind}): ${firstLost} answered, ${items.length - firstLost} in doubt, ${stored} on the server`);
        } else {
          console.log(`cut mid-request (${kind}): nothing answered, ${stored} on the server`);
        }
      } finally {
        await session.close();
        await proxy.close();
      }
    });
  }
});
