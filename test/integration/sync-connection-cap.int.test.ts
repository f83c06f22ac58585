/**
 * A server that allows fewer connections per account than asked for (Dovecot's
 * mail_max_userip_connections, as Gmail and Microsoft 365 cap theirs): connections over the cap get
 * `NO [LIMIT]` at login. The pass goes on with the connections it got — everything is copied, exit 0 —
 * and says once how many it used and what to set. Before, each refused lane failed the folders it took.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { corpusAsFolders, seedMailbox } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { plainFlags, runCli } from '../helpers/run-cli.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');
const STATE_ROOT = process.env['CUTOVER_TEST_STATE'] ?? resolve(import.meta.dirname, '../../.test-state');

describe('a server that caps connections per account', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let db: TestDatabase;
  const stateDir = join(STATE_ROOT, `capped-source-${process.pid}`);
  const src = { user: 'carl', password: 'pw-src' };
  const dst = { user: 'carl', password: 'pw-dst' };

  before(async () => {
    // Seeding uses several connections: seed first, then start the same mail store with the cap.
    const seeding = await startDovecot({ name: 'capped-src', users: { [src.user]: src.password }, stateDir });
    try {
      await seedMailbox({ host: seeding.host, port: seeding.port, ...src }, corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')));
    } finally {
      await seeding.stop();
    }
    [source, target, db] = await Promise.all([
      startDovecot({ name: 'capped-src', users: { [src.user]: src.password }, stateDir, maxUserIpConnections: 2 }),
      startDovecot({ name: 'capped-dst', users: { [dst.user]: dst.password } }),
      testDatabase('sync_connection_cap'),
    ]);
  });

  after(async () => {
    await Promise.all([source?.stop(), target?.stop(), db?.drop()]);
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('six connections asked, two allowed: everything copied on two, one warning saying what to set', async () => {
    const result = await runCli(['sync', ...plainFlags({ port: source.port, ...src }, { port: target.port, ...dst }), '--connections', '6'], { DATABASE_URL: db.url });
    assert.equal(result.code, 0, `exit ${result.code}: ${result.stdout.slice(-2000)}`);
    assert.match(result.stdout, /Messages: copied 6\d\d, .*failed 0/);
    const warnings = result.stdout.split('\n').filter((line) => /connections per side were used/.test(line));
    assert.equal(warnings.length, 1, result.stdout);
    assert.match(warnings[0] ?? '', /2 of 6 connections per side were used: 4 could not be opened .*LIMIT.*Lower --connections/);
    // The refused logins are reported once, in that warning: no error log with a stack per connection.
    assert.doesNotMatch(result.stderr, /"level":50|Command failed/);
    assertMailboxesEqual(await snapshotMailbox({ host: source.host, port: source.port, ...src }), await snapshotMailbox({ host: target.host, port: target.port, ...dst }));
  });
});
