/**
 * A large folder is copied by several connections at once (engine/shared-copies.ts): against real
 * Dovecot with a proxy on the target recording which connection sent each APPEND. The copy equals the
 * source, a rerun copies nothing, and a pass killed while helpers copy shares of the folder leaves
 * nothing lost and nothing doubled.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { seedMailbox } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { jsonOf, plainFlags, runCli, spawnCli, collect } from '../helpers/run-cli.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';
import { until } from '../helpers/until.ts';

interface Summary {
  status: string;
  counts: { copied: number; alreadyThere: number; skipped: number; failed: number };
}

/** 400 distinct messages, two of them byte-identical twins (they must arrive as two). */
function bigFolder(): Array<{ raw: Buffer; flags: string[] }> {
  const messages = Array.from({ length: 398 }, (_, i) => ({
    raw: Buffer.from(`Message-ID: <share-${i}@cutover.test>\r\nSubject: share ${i}\r\nFrom: a@example.test\r\n\r\n${'line of text\r\n'.repeat(5 + (i % 40))}`),
    flags: i % 3 === 0 ? ['\\Seen'] : [],
  }));
  const twin = Buffer.from('Subject: twin\r\nFrom: a@example.test\r\n\r\nsame bytes\r\n');
  return [...messages, { raw: twin, flags: [] }, { raw: twin, flags: [] }];
}

describe('a large folder shared between connections', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let targetProxy: FaultProxy;
  const src = { user: 'erin', password: 'pw-src' };
  const dst = { user: 'erin', password: 'pw-dst' };
  const dst2 = { user: 'frank', password: 'pw-dst2' };
  const compare = async (account: { user: string; password: string }): Promise<void> => {
    const [s, t] = await Promise.all([
      snapshotMailbox({ host: source.host, port: source.port, ...src }),
      snapshotMailbox({ host: target.host, port: target.port, ...account }),
    ]);
    assertMailboxesEqual(s, t);
  };

  before(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'shares-src', users: { [src.user]: src.password } }),
      startDovecot({ name: 'shares-dst', users: { [dst.user]: dst.password, [dst2.user]: dst2.password } }),
    ]);
    targetProxy = await startFaultProxy(target.port);
    await seedMailbox({ host: source.host, port: source.port, ...src }, [
      { path: 'Big', messages: bigFolder() },
      { path: 'Small', messages: [{ raw: Buffer.from('Subject: small\r\n\r\nsmall\r\n') }] },
    ]);
  });

  after(async () => {
    await targetProxy?.close();
    await Promise.all([source?.stop(), target?.stop()]);
  });

  test('idle connections help copy the big folder; the copy equals the source; a rerun copies nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cutover-shares-'));
    const args = ['sync', ...plainFlags({ port: source.port, ...src }, { port: targetProxy.port, ...dst }), '--json', '--data-dir', dataDir, '--connections', '4', '--split', '40', '--batch-messages', '20'];
    targetProxy.takeCommandLog();
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(jsonOf<Summary>(first).counts.copied, 401);
    const appenders = new Set(targetProxy.takeCommandLog().filter((c) => c.command.startsWith('APPEND "Big"')).map((c) => c.connection));
    assert.ok(appenders.size >= 2, `APPENDs to Big came on ${appenders.size} connection(s)`);
    await compare(dst);
    const again = jsonOf<Summary>(await runCli(args));
    assert.deepEqual([again.counts.copied, again.counts.failed], [0, 0]);
  });

  test('killed while helpers copy shares, then run again: nothing lost, nothing doubled', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cutover-shares-kill-'));
    const args = ['sync', ...plainFlags({ port: source.port, ...src }, { port: target.port, ...dst2 }), '--json', '--data-dir', dataDir, '--connections', '4', '--split', '30', '--batch-messages', '10'];
    for (const threshold of [60, 220]) {
      const child = spawnCli(args);
      const done = collect(child);
      await until(`the target to hold ${threshold} messages`, async () => {
        const snap = await snapshotMailbox({ host: target.host, port: target.port, ...dst2 }).catch(() => null);
        return [...(snap?.values() ?? [])].reduce((n, f) => n + f.length, 0) >= threshold || child.exitCode !== null;
      }, 60_000, 20);
      child.kill('SIGKILL');
      await done;
    }
    const final = await runCli(args);
    assert.equal(final.code, 0, final.stdout + final.stderr);
    await compare(dst2);
    const again = jsonOf<Summary>(await runCli(args));
    assert.deepEqual([again.status, again.counts.copied, again.counts.failed], ['completed', 0, 0]);
  });
});
