/**
 * The benchmark's infrastructure against real Dovecot: the delay proxy adds its round trip and keeps
 * every byte, the target kinds are what they claim (cloud hides its capabilities, mdbox stores and
 * reads back), a generated corpus seeds exactly as planned, and a cached source rolls back a delta.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSeededSource } from '../../bench/corpus/cache.ts';
import { generateMessages, planCorpus } from '../../bench/corpus/generate.ts';
import { ImapSession } from '../../bench/corpus/imap-session.ts';
import { appendExtra, seedCorpus } from '../../bench/corpus/seed.ts';
import { folderCountSpec } from '../../bench/corpus/spec.ts';
import type { CorpusSpec } from '../../bench/corpus/spec.ts';
import { startDelayProxy } from '../../bench/delay-proxy.ts';
import { CLOUD_HIDDEN, startBenchServer } from '../../bench/servers.ts';
import type { BenchServer } from '../../bench/servers.ts';
import { snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import type { MailboxSnapshot } from '../helpers/mailbox-snapshot.ts';

const PASSWORD = 'benchpw';
const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** 300 messages in 6 folders, one 5–6 MiB attachment mail (index 150). */
const SMALL: CorpusSpec = {
  name: 'infra-test', messages: 300, folders: 6, largestFolderShare: 0.4, medianBytes: 8192, sigma: 1.1,
  tail: { everyNth: 300, minBytes: 5 * 1024 * 1024, maxBytes: 6 * 1024 * 1024 }, seed: 42,
};

/** What the generator says each folder must hold: sha256, flags, INTERNALDATE, in UID order. */
function expectedSnapshot(spec: CorpusSpec): Map<string, Array<{ sha256: string; flags: string[]; internalDate: string }>> {
  const expected = new Map<string, Array<{ sha256: string; flags: string[]; internalDate: string }>>();
  for (const m of generateMessages(spec)) {
    const list = expected.get(m.folder) ?? [];
    list.push({ sha256: sha(m.content), flags: [...m.flags].sort(), internalDate: m.internalDate.toISOString() });
    expected.set(m.folder, list);
  }
  return expected;
}

function assertMatchesPlan(actual: MailboxSnapshot, spec: CorpusSpec): void {
  const expected = expectedSnapshot(spec);
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [folder, messages] of expected) {
    const got = (actual.get(folder) ?? []).map((m) => ({ sha256: m.sha256, flags: m.flags, internalDate: m.internalDate }));
    assert.deepEqual(got, messages, folder);
  }
}

/** Milliseconds from connect to the server's greeting line, and of each NOOP round trip after login. */
async function timeRoundTrips(port: number, noops: number): Promise<{ greetingMs: number; noopMs: number[] }> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let buffered = '';
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    wake?.();
  });
  const waitFor = async (pattern: RegExp): Promise<void> => {
    while (!pattern.test(buffered)) await new Promise<void>((r) => (wake = r));
    buffered = '';
  };
  const started = performance.now();
  await waitFor(/^\* OK.*\r\n/);
  const greetingMs = performance.now() - started;
  socket.write(`a LOGIN bench ${PASSWORD}\r\n`);
  await waitFor(/^a OK.*\r\n/m);
  const noopMs: number[] = [];
  for (let i = 0; i < noops; i++) {
    const t = performance.now();
    socket.write(`n${i} NOOP\r\n`);
    await waitFor(new RegExp(`^n${i} OK.*\\r\\n`, 'm'));
    noopMs.push(performance.now() - t);
  }
  socket.destroy();
  return { greetingMs, noopMs };
}

describe('benchmark infrastructure', () => {
  let maildir: BenchServer;
  let mdbox: BenchServer;
  let cloud: BenchServer;
  const users = { bench: PASSWORD, corpus: PASSWORD, extra: PASSWORD };
  const account = (server: BenchServer, user: string): { host: string; port: number; user: string; password: string } => ({ host: server.host, port: server.port, user, password: PASSWORD });

  before(async () => {
    [maildir, mdbox, cloud] = await Promise.all([
      startBenchServer({ name: 'infra-maildir', kind: 'maildir', users }),
      startBenchServer({ name: 'infra-mdbox', kind: 'mdbox', users }),
      startBenchServer({ name: 'infra-cloud', kind: 'cloud', users }),
    ]);
  });
  after(async () => {
    await Promise.all([maildir?.stop(), mdbox?.stop(), cloud?.stop()]);
  });

  test('the delay proxy adds its round trip to every exchange and a TCP handshake to the connect', async () => {
    const rttMs = 40;
    const proxy = await startDelayProxy({ targetHost: maildir.host, targetPort: maildir.port, rttMs });
    try {
      const direct = await timeRoundTrips(maildir.port, 5);
      const delayed = await timeRoundTrips(proxy.port, 5);
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      // At least the delay (timers fire on whole milliseconds, up to 0.5 ms early per direction) and
      // not much more than it plus what the direct path costs; generous on top for a loaded machine.
      assert.ok(median(delayed.noopMs) >= rttMs - 1.5, `NOOP through the proxy took ${median(delayed.noopMs).toFixed(1)} ms`);
      assert.ok(median(delayed.noopMs) <= rttMs + median(direct.noopMs) + 25, `NOOP through the proxy took ${median(delayed.noopMs).toFixed(1)} ms`);
      assert.ok(delayed.greetingMs >= 2 * rttMs - 1.5 && delayed.greetingMs <= 2 * rttMs + 40, `greeting after ${delayed.greetingMs.toFixed(1)} ms`);
      assert.equal(proxy.totalConnections, 1);
    } finally {
      await proxy.stop();
    }
  });

  test('the delay proxy keeps every byte, in order, both ways, over concurrent connections', async () => {
    // An echo server: whatever goes up must come back down identical.
    const echo = net.createServer({ allowHalfOpen: true }, (socket) => socket.pipe(socket));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: (echo.address() as AddressInfo).port, rttMs: 10 });
    try {
      await Promise.all(Array.from({ length: 8 }, async (_, i) => {
        const payload = randomBytes(1024 * 1024 + i * 4099);
        const socket = net.connect(proxy.port, '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        const closed = new Promise<void>((resolve, reject) => {
          socket.on('end', () => resolve());
          socket.on('error', reject);
        });
        // Odd-sized writes so chunks split and coalesce differently on the way.
        for (let at = 0; at < payload.length; at += 7777) socket.write(payload.subarray(at, at + 7777));
        socket.end();
        await closed;
        assert.equal(sha(Buffer.concat(chunks)), sha(payload), `connection ${i}`);
      }));
      assert.equal(proxy.peakConnections >= 2, true);
    } finally {
      await proxy.stop();
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });

  test('the cloud target hides CONDSTORE, QRESYNC, MULTIAPPEND, COMPRESS, LITERAL+/- and LIST-STATUS, and still takes mail', async () => {
    const session = await ImapSession.open(account(cloud, 'bench'));
    try {
      for (const hidden of CLOUD_HIDDEN) assert.equal(session.capabilities.has(hidden), false, hidden);
      assert.ok(session.capabilities.has('IMAP4REV1') && session.capabilities.has('UIDPLUS'));
    } finally {
      await session.logout();
    }
    const maildirSession = await ImapSession.open(account(maildir, 'bench'));
    try {
      // The same Dovecot does offer them when not hidden, so the test above means something.
      for (const offered of ['CONDSTORE', 'QRESYNC', 'MULTIAPPEND', 'LITERAL+', 'LIST-STATUS']) assert.ok(maildirSession.capabilities.has(offered), offered);
    } finally {
      await maildirSession.logout();
    }
    // Seeding falls back to one APPEND per message with synchronizing literals.
    const spec = folderCountSpec(10, 2);
    await seedCorpus(account(cloud, 'corpus'), spec);
    assertMatchesPlan(await snapshotMailbox(account(cloud, 'corpus')), spec);
  });

  test('the mdbox target stores messages and reads them back byte for byte', async () => {
    const spec = folderCountSpec(10, 5);
    await seedCorpus(account(mdbox, 'bench'), spec);
    assertMatchesPlan(await snapshotMailbox(account(mdbox, 'bench')), spec);
    const storage = join(mdbox.userHome('bench'), 'mdbox', 'storage');
    assert.ok(existsSync(storage) && readdirSync(storage).some((f) => /^m\.\d+$/.test(f)), 'mdbox storage files');
  });

  test('a generated corpus seeds exactly as planned: folders, counts, bytes, content, flags, dates', async () => {
    const plan = planCorpus(SMALL);
    assert.equal(plan.messages, 300);
    assert.ok(plan.largestBytes >= 5 * 1024 * 1024, `largest ${plan.largestBytes}`);
    const stats = await seedCorpus(account(maildir, 'corpus'), SMALL);
    assert.deepEqual(stats, plan);
    const session = await ImapSession.open(account(maildir, 'corpus'));
    try {
      // STATUS SIZE (RFC 8438): the server's own count of stored bytes.
      const perFolder: Record<string, number> = {};
      let bytes = 0;
      for (const folder of Object.keys(plan.perFolder)) {
        const status = await session.ok(`STATUS "${folder}" (MESSAGES SIZE)`);
        const match = /MESSAGES (\d+) SIZE (\d+)/.exec(status.untagged.join(' '));
        assert.ok(match, folder);
        perFolder[folder] = Number(match[1]);
        bytes += Number(match[2]);
      }
      assert.deepEqual(perFolder, plan.perFolder);
      assert.equal(bytes, plan.bytes);
    } finally {
      await session.logout();
    }
    assertMatchesPlan(await snapshotMailbox(account(maildir, 'corpus')), SMALL);
  });

  test('a cached source is reused, and a delta (new messages, flag changes) is rolled back', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'bench-source-'));
    const spec = folderCountSpec(10, 3);
    try {
      const first = await startSeededSource({ spec, user: 'src', password: PASSWORD, stateDir });
      assert.equal(first.reused, false);
      assert.equal(await appendExtra(first.account, spec, 7, 'delta1'), 7);
      const session = await ImapSession.open(first.account);
      await session.ok('SELECT INBOX');
      await session.ok('STORE 1:2 FLAGS (\\Flagged $Other)');
      await session.logout();
      await first.server.stop();

      const second = await startSeededSource({ spec, user: 'src', password: PASSWORD, stateDir });
      try {
        assert.equal(second.reused, true);
        assert.equal(second.restored, 'removed 7 new messages, reset flags on 2');
        assertMatchesPlan(await snapshotMailbox(second.account), spec);
      } finally {
        await second.server.stop();
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
