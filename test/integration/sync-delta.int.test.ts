/**
 * Delta passes read only what changed, and still miss nothing: against real Dovecot, with a proxy on
 * each side recording the commands Cutover sends.
 * - a folder whose last pass finished is listed from the UIDNEXT that pass saw (`UID SEARCH UID n:*`),
 *   never in full; a folder new to the ledger is listed in full;
 * - a failed item below that UIDNEXT is retried; one deleted at the source since is recorded as vanished;
 * - flag changes that end in the same flags share one `UID STORE`; no connection LISTs a folder
 *   before each SELECT (one `LIST "" "*"` per connection at most);
 * - a full pass afterwards (every folder read in full) finds nothing left to do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { connectImap, corpusAsFolders, seedMailbox } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { jsonOf, plainFlags, runCli } from '../helpers/run-cli.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');

interface Summary {
  counts: { copied: number; alreadyThere: number; skipped: number; excluded: number; failed: number; flagsUpdated?: number };
  folders: Array<{ source: string }>;
}

describe('delta passes read only what changed', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let db: TestDatabase;
  let pool: pg.Pool;
  let sourceProxy: FaultProxy;
  let targetProxy: FaultProxy;
  const src = { user: 'dave', password: 'pw-src' };
  const dst = { user: 'dave', password: 'pw-dst' };
  const sourceAccount = () => ({ host: source.host, port: source.port, ...src });
  const targetAccount = () => ({ host: target.host, port: target.port, ...dst });

  const run = async (...extra: string[]): Promise<Summary> => {
    const result = await runCli(['sync', ...plainFlags({ port: sourceProxy.port, ...src }, { port: targetProxy.port, ...dst }), '--json', '--syncflags', ...extra], { DATABASE_URL: db.url });
    assert.equal(result.code, 0, `exit ${result.code}: ${result.stdout}${result.stderr}`);
    return jsonOf<Summary>(result);
  };
  const compare = async (): Promise<void> => {
    const [s, t] = await Promise.all([snapshotMailbox(sourceAccount()), snapshotMailbox(targetAccount())]);
    assertMailboxesEqual(s, t);
  };
  /** Deletes one message by UID (STORE \Deleted + UID EXPUNGE). */
  const expunge = async (account: ReturnType<typeof sourceAccount>, folder: string, uid: number): Promise<void> => {
    const client = await connectImap(account);
    try {
      await client.mailboxOpen(folder);
      assert.ok(await client.messageDelete(String(uid), { uid: true }), `UID ${uid} deleted from ${folder}`);
    } finally {
      await client.logout();
    }
  };

  before(async () => {
    [source, target, db] = await Promise.all([
      startDovecot({ name: 'delta-src', users: { [src.user]: src.password } }),
      startDovecot({ name: 'delta-dst', users: { [dst.user]: dst.password } }),
      testDatabase('sync_delta'),
    ]);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    [sourceProxy, targetProxy] = await Promise.all([startFaultProxy(source.port), startFaultProxy(target.port)]);
    const folders = corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')).filter((f) => ['credit', 'belden', 'it'].includes(f.path));
    await seedMailbox(sourceAccount(), folders);
  });

  after(async () => {
    await Promise.all([sourceProxy?.close(), targetProxy?.close()]);
    await pool?.end();
    await Promise.all([source?.stop(), target?.stop(), db?.drop()]);
  });

  test('a changed folder is listed from its last UIDNEXT; failed items are retried or recorded as vanished; equal flags share one STORE', async () => {
    const first = await run();
    assert.ok(first.counts.copied > 30, `first pass copied ${first.counts.copied}`);
    await compare();

    // Two items of `credit` become "failed" as if their APPEND had been refused: gone from the target,
    // failed in the ledger. One of them is then deleted at the source too.
    const failed = (await pool.query<{ uid: string; target_uid: string }>(
      `SELECT uid, target_uid FROM ledger_items WHERE source_folder = 'credit' ORDER BY uid LIMIT 2`)).rows.map((r) => ({ uid: Number(r.uid), targetUid: Number(r.target_uid) }));
    assert.equal(failed.length, 2);
    for (const f of failed) await expunge(targetAccount(), 'credit', f.targetUid);
    await pool.query(`UPDATE ledger_items SET state = 'failed', target_uid = NULL, reason_code = 'ITEM_REJECTED', reason_text = 'test' WHERE source_folder = 'credit' AND uid = ANY($1::bigint[])`, [failed.map((f) => f.uid)]);
    await expunge(sourceAccount(), 'credit', failed[1]!.uid);

    // New mail in `credit` and a new folder; three `belden` messages end with exactly \Flagged.
    await seedMailbox(sourceAccount(), [
      { path: 'credit', messages: [{ raw: Buffer.from('Subject: new one\r\nMessage-ID: <n1@delta.test>\r\n\r\nnew\r\n') }, { raw: Buffer.from('Subject: new two\r\n\r\nnew\r\n') }] },
      { path: 'Later', messages: [{ raw: Buffer.from('Subject: in a new folder\r\n\r\nhello\r\n') }] },
    ]);
    const client = await connectImap(sourceAccount());
    try {
      for (const folder of ['belden', 'it']) {
        await client.mailboxOpen(folder);
        await client.messageFlagsSet('2,4,6', ['\\Flagged'], { uid: true });
      }
    } finally {
      await client.logout();
    }
    const beldenNext = (await pool.query<{ uidnext: string }>(`SELECT uidnext FROM folder_states WHERE source_folder = 'belden'`)).rows[0]?.uidnext;
    const creditNext = (await pool.query<{ uidnext: string }>(`SELECT uidnext FROM folder_states WHERE source_folder = 'credit'`)).rows[0]?.uidnext;

    sourceProxy.takeCommands();
    targetProxy.takeCommands();
    const delta = await run();
    const sourceCommands = sourceProxy.takeCommands();
    const targetCommands = targetProxy.takeCommands();

    assert.equal(delta.counts.copied, 1 + 2 + 1, 'the retried item, two new in credit, one in the new folder');
    assert.equal(delta.counts.failed, 0);
    assert.deepEqual(delta.folders.map((f) => f.source).sort(), ['Later', 'belden', 'credit', 'it']);
    const searches = sourceCommands.filter((c) => c.startsWith('UID SEARCH'));
    assert.ok(searches.some((c) => c.endsWith(` UID ${creditNext}:*`)), `credit listed from ${creditNext}: ${searches.join(' | ')}`);
    assert.ok(searches.some((c) => c.endsWith(` UID ${beldenNext}:*`)), `belden listed from ${beldenNext}: ${searches.join(' | ')}`);
    assert.equal(searches.filter((c) => c.endsWith(' ALL')).length, 1, `only the new folder is listed in full: ${searches.join(' | ')}`);
    const stores = targetCommands.filter((c) => c.startsWith('UID STORE'));
    assert.equal(stores.length, 2, `three messages with the same new flags: one STORE per folder (${stores.join(' | ')})`);
    for (const store of stores) assert.match(store, /^UID STORE \S+ FLAGS\.SILENT \(\\Flagged\)$/);
    const perFolderLists = [...sourceCommands, ...targetCommands].filter((c) => c.startsWith('LIST ') && !c.startsWith('LIST "" "*"'));
    assert.deepEqual(perFolderLists, [], 'a connection lists all folders once, not one LIST before each SELECT');
    assert.deepEqual(targetCommands.filter((c) => c.startsWith('STATUS')), [], 'the STORE\'s SELECT checks the target UIDVALIDITY; no STATUS');

    const states = await pool.query<{ uid: string; state: string; reason_code: string | null }>(
      `SELECT uid, state, reason_code FROM ledger_items WHERE source_folder = 'credit' AND uid = ANY($1::bigint[]) ORDER BY uid`, [failed.map((f) => f.uid)]);
    assert.deepEqual(states.rows.map((r) => [Number(r.uid), r.state, r.reason_code]), [[failed[0]!.uid, 'migrated', null], [failed[1]!.uid, 'excluded', 'ITEM_VANISHED']]);
    await compare();

    // Nothing was left behind by reading only part of the folders: a full pass reads all and finds nothing to do.
    const full = await run('--full');
    assert.deepEqual([full.counts.copied, full.counts.failed, full.counts.alreadyThere], [0, 0, 0]);
    assert.equal(sourceProxy.takeCommands().filter((c) => c.startsWith('UID SEARCH') && c.endsWith(' ALL')).length, 5, 'a full pass lists every folder in full (the three, Later and the empty INBOX)');
    const pending = await pool.query(`SELECT 1 FROM ledger_items WHERE state IN ('failed', 'in_doubt')`);
    assert.equal(pending.rowCount, 0);
    await compare();
  });
});
