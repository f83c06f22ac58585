/**
 * A target without UIDPLUS (RFC 4315): APPEND answers carry no UIDs. Real Dovecot behind the fault
 * proxy, which hides UIDPLUS and strips APPENDUID (Dovecot sends it whatever it advertises).
 * - every migrated item still gets the target UID of its own copy (checked message by message, with
 *   two byte-identical twins);
 * - flag changes are carried to those UIDs (from a source without CONDSTORE: flags compared in full);
 * - an in-doubt twin whose copy is missing is sent again instead of being matched to its twin's copy
 *   (the loss this guards against);
 * - a SIGKILL mid-copy, then a rerun: nothing lost, nothing doubled, every row mapped.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { connectImap, corpusAsFolders, seedMailbox } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox, type MailboxSnapshot } from '../helpers/mailbox-snapshot.ts';
import { collect, jsonOf, plainFlags, runCli, spawnCli } from '../helpers/run-cli.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');
const TWIN = Buffer.from('From: twin@example.test\r\nSubject: twin\r\nMessage-ID: <twin@example.test>\r\n\r\nsame bytes\r\n');

interface Summary {
  counts: { copied: number; alreadyThere: number; failed: number; flagsUpdated?: number };
}

describe('a target without UIDPLUS', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let db: TestDatabase;
  let pool: pg.Pool;
  let proxy: FaultProxy;
  const src = { user: 'nora', password: 'pw-src' };
  const dst = { user: 'nora', password: 'pw-dst' };
  const sourceAccount = () => ({ host: source.host, port: source.port, ...src });
  const targetAccount = () => ({ host: target.host, port: target.port, ...dst });
  const flags = () => plainFlags({ port: source.port, ...src }, { port: proxy.port, ...dst });

  const run = async (...extra: string[]): Promise<Summary> => {
    const result = await runCli(['sync', ...flags(), '--json', '--syncflags', ...extra], { DATABASE_URL: db.url });
    assert.equal(result.code, 0, `exit ${result.code}: ${result.stdout}${result.stderr}`);
    return jsonOf<Summary>(result);
  };

  /** The target equals the source, and every migrated row points at its own copy (same bytes). */
  const check = async (): Promise<void> => {
    const [s, t] = await Promise.all([snapshotMailbox(sourceAccount()), snapshotMailbox(targetAccount())]);
    assertMailboxesEqual(s, t);
    const sha = (snapshot: MailboxSnapshot, folder: string, uid: number): string | undefined => snapshot.get(folder)?.find((m) => m.uid === uid)?.sha256;
    const rows = (await pool.query<{ source_folder: string; uid: string; target_folder: string; target_uid: string | null }>(
      `SELECT source_folder, uid, target_folder, target_uid FROM ledger_items WHERE state = 'migrated'`)).rows;
    assert.ok(rows.length > 0);
    const seen = new Set<string>();
    for (const row of rows) {
      assert.notEqual(row.target_uid, null, `${row.source_folder} ${row.uid} has no target UID`);
      const key = `${row.target_folder} ${row.target_uid}`;
      assert.ok(!seen.has(key), `two items claim ${key}`);
      seen.add(key);
      assert.equal(sha(t, row.target_folder, Number(row.target_uid)), sha(s, row.source_folder, Number(row.uid)), `${row.source_folder} ${row.uid} → ${key}`);
    }
  };

  before(async () => {
    [source, target, db] = await Promise.all([
      // The source offers plain IMAP4rev1: no CONDSTORE (flags compared in full), no LIST-STATUS
      // (pipelined STATUS), no ESEARCH, no SPECIAL-USE.
      startDovecot({ name: 'nouidplus-src', users: { [src.user]: src.password }, capabilities: 'IMAP4rev1 NAMESPACE' }),
      startDovecot({ name: 'nouidplus-dst', users: { [dst.user]: dst.password }, capabilities: 'IMAP4rev1 LITERAL+ MULTIAPPEND NAMESPACE CONDSTORE SPECIAL-USE' }),
      testDatabase('sync_no_uidplus'),
    ]);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    proxy = await startFaultProxy(target.port);
    proxy.hideUidplus();
    const folders = corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')).filter((f) => ['credit', 'belden', 'it'].includes(f.path));
    await seedMailbox(sourceAccount(), [...folders, { path: 'Twins', messages: [{ raw: TWIN }, { raw: Buffer.from('Subject: between\r\n\r\nx\r\n') }, { raw: TWIN }] }]);
  });

  after(async () => {
    await proxy?.close();
    await pool?.end();
    await Promise.all([source?.stop(), target?.stop(), db?.drop()]);
  });

  test('the proxy really hides UIDPLUS and APPENDUID', async () => {
    const client = await connectImap({ host: '127.0.0.1', port: proxy.port, ...dst });
    try {
      assert.equal(client.capabilities.has('UIDPLUS'), false);
      const answer = await client.append('INBOX', Buffer.from('Subject: probe\r\n\r\nprobe\r\n'));
      assert.ok(answer !== false && answer.uid === undefined, `APPENDUID got through: ${JSON.stringify(answer, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
      await client.mailboxOpen('INBOX');
      await client.messageDelete('1:*');
    } finally {
      await client.logout();
    }
  });

  test('each migrated item gets the UID of its own copy; flag changes are carried to it', async () => {
    const first = await run('--batch-messages', '7');
    assert.ok(first.counts.copied > 30, `copied ${first.counts.copied}`);
    await check();

    const client = await connectImap(sourceAccount());
    try {
      await client.mailboxOpen('Twins');
      await client.messageFlagsSet('3', ['\\Flagged'], { uid: true });
      await client.mailboxOpen('belden');
      await client.messageFlagsSet('2,5', ['\\Seen', '$Label1'], { uid: true });
    } finally {
      await client.logout();
    }
    const second = await run();
    assert.equal(second.counts.flagsUpdated, 3);
    await check();
  });

  test('an in-doubt twin whose copy is missing is sent again, not matched to the other twin', async () => {
    const row = (await pool.query<{ uid: string; target_uid: string }>(
      `SELECT uid, target_uid FROM ledger_items WHERE source_folder = 'Twins' AND subject = 'twin' ORDER BY uid DESC LIMIT 1`)).rows[0];
    assert.ok(row);
    const client = await connectImap(targetAccount());
    try {
      await client.mailboxOpen('Twins');
      assert.ok(await client.messageDelete(row.target_uid, { uid: true }));
    } finally {
      await client.logout();
    }
    await pool.query(`UPDATE ledger_items SET state = 'in_doubt' WHERE source_folder = 'Twins' AND uid = $1`, [row.uid]);
    const again = await run();
    assert.deepEqual([again.counts.copied, again.counts.alreadyThere], [1, 0]);
    await check();
  });

  test('SIGKILL mid-copy, then a rerun: nothing lost, nothing doubled, every row mapped', async () => {
    const more = corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')).filter((f) => ['credit', 'belden'].includes(f.path)).map((f) => ({ ...f, path: `Again/${f.path}` }));
    await seedMailbox(sourceAccount(), more);
    const child = spawnCli(['sync', ...flags(), '--json', '--batch-messages', '3'], { DATABASE_URL: db.url });
    // Killed once a few batches of the new folders are recorded.
    for (let i = 0; i < 300; i++) {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_items WHERE source_folder LIKE 'Again%'`);
      if ((rows[0]?.n ?? 0) >= 9) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await collect(child);
    const after = await run();
    assert.equal(after.counts.failed, 0);
    await check();
    const full = await run('--full');
    assert.deepEqual([full.counts.copied, full.counts.alreadyThere], [0, 0]);
  });
});
