/**
 * The ledger rules beyond a plain copy, against real Dovecot: filters record excluded items with
 * their rule and re-evaluate them when the filters change; a ledger reset (per folder, per pair)
 * rebuilds the ledger by matching against the target instead of doubling; a changed UIDVALIDITY at
 * the source re-keys items by fingerprint instead of copying them again; folders run in parallel
 * lanes within the connection cap.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { doveadm, startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { corpusAsFolders, seedMailbox, type SeedFolder } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { jsonOf, plainFlags, runCli } from '../helpers/run-cli.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');

interface Summary {
  counts: { copied: number; alreadyThere: number; skipped: number; excluded: number; failed: number };
  folders: Array<{ source: string }>;
  exitCode: number;
}

describe('ledger rules of cutover sync', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let db: TestDatabase;
  const src = { user: 'carol', password: 'pw-src' };
  const dst = { user: 'carol', password: 'pw-dst' };
  let folders: SeedFolder[];
  let total = 0;
  const env = (): NodeJS.ProcessEnv => ({ DATABASE_URL: db.url });
  const args = (...extra: string[]) => ['sync', ...plainFlags({ port: source.port, ...src }, { port: target.port, ...dst }), '--json', ...extra];
  const run = async (...extra: string[]) => {
    const result = await runCli(args(...extra), env());
    assert.ok([0].includes(result.code ?? -1), `exit ${result.code}: ${result.stdout}${result.stderr}`);
    return jsonOf<Summary>(result);
  };
  const compare = async () => {
    const [s, t] = await Promise.all([
      snapshotMailbox({ host: source.host, port: source.port, ...src }),
      snapshotMailbox({ host: target.host, port: target.port, ...dst }),
    ]);
    assertMailboxesEqual(s, t);
  };
  const query = async <T extends pg.QueryResultRow>(sql: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  };

  before(async () => {
    [source, target, db] = await Promise.all([
      startDovecot({ name: 'ledger-src', users: { [src.user]: src.password } }),
      startDovecot({ name: 'ledger-dst', users: { [dst.user]: dst.password } }),
      testDatabase('ledger_rules'),
    ]);
    folders = [
      ...corpusAsFolders(join(FIXTURES, 'mail-edge')),
      ...corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')).filter((f) => ['inbox', 'INBOX', 'credit', 'credit/risk', 'stf/e_tag'].includes(f.path)),
    ];
    total = folders.reduce((n, f) => n + f.messages.length, 0);
    await seedMailbox({ host: source.host, port: source.port, ...src }, folders);
  });

  after(async () => {
    await Promise.all([source?.stop(), target?.stop(), db?.drop()]);
  });

  test('a size filter records excluded items with the rule; lifting it copies them', async () => {
    const filtered = await run('--maxsize', '20000');
    assert.ok(filtered.counts.excluded > 0, 'some fixtures are over 20 kB');
    assert.equal(filtered.counts.copied + filtered.counts.excluded, total);
    const rules = await query<{ reason_text: string; n: string }>("SELECT reason_text, count(*) AS n FROM ledger_items WHERE state = 'excluded' GROUP BY reason_text");
    assert.deepEqual(rules.map((r) => r.reason_text), ['maxsize=20000']);
    const again = await run('--maxsize', '20000');
    assert.equal(again.counts.copied, 0, 'same filters: nothing to do');
    const lifted = await run();
    assert.equal(lifted.counts.copied, filtered.counts.excluded, 'the filter changed, so excluded items were evaluated again');
    await compare();
  });

  test('resetting one folder rebuilds its ledger from the target: nothing doubled', async () => {
    const reset = await run('--reset-folder', 'INBOX');
    const inbox = folders.find((f) => f.path.toUpperCase() === 'INBOX')?.messages.length ?? 0;
    assert.equal(reset.counts.copied, 0);
    assert.equal(reset.counts.alreadyThere, inbox);
    assert.deepEqual(reset.folders.map((f) => f.source), ['INBOX']);
    await compare();
  });

  test('resetting the whole pair: every item is found on the target, nothing copied', async () => {
    const reset = await run('--reset-ledger');
    assert.equal(reset.counts.copied, 0);
    assert.equal(reset.counts.alreadyThere, total);
    await compare();
    const states = await query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM ledger_items GROUP BY state');
    assert.deepEqual(states.map((r) => [r.state, Number(r.n)]), [['migrated', total]]);
  });

  test('a new UIDVALIDITY at the source re-keys the items by fingerprint instead of copying them', async () => {
    const before = await query<{ uidvalidity: string }>("SELECT DISTINCT uidvalidity FROM ledger_items WHERE source_folder = 'credit'");
    await doveadm(source, ['mailbox', 'update', '--uid-validity', '4242', '-u', src.user, 'credit']);
    await seedMailbox({ host: source.host, port: source.port, ...src }, [{ path: 'credit', messages: [{ raw: Buffer.from('Subject: after renumbering\r\n\r\nnew\r\n') }] }]);
    const after = await run();
    assert.equal(after.counts.copied, 1, 'only the new message');
    const keys = await query<{ uidvalidity: string }>("SELECT DISTINCT uidvalidity FROM ledger_items WHERE source_folder = 'credit'");
    assert.notDeepEqual(keys, before);
    assert.deepEqual(keys.map((k) => k.uidvalidity), ['4242']);
    await compare();
  });

  test('folders run in parallel lanes, never more connections than --connections', async () => {
    const proxy = await startFaultProxy(source.port);
    try {
      const fresh = { user: 'carol', password: dst.password };
      const result = await runCli(['sync', ...plainFlags({ port: proxy.port, ...src }, { port: target.port, ...fresh }), '--json', '--full', '--connections', '3'], env());
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.ok(proxy.peakConnections <= 3, `peak ${proxy.peakConnections} source connections`);
      assert.ok(proxy.peakConnections >= 2, `folders ran in parallel (peak ${proxy.peakConnections})`);
    } finally {
      await proxy.close();
    }
  });
});
