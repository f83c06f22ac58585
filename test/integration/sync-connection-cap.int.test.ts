/**
 * A server that allows fewer connections per account than asked for (Gmail 15, Microsoft 365 ≈20,
 * Dovecot's mail_max_userip_connections): the fault proxy lets 2 connections in at once and answers
 * any more with `* BYE [UNAVAILABLE]`. (Dovecot's own cap is checked by its anvil process and lets
 * simultaneous logins past it under load, so the count would not be exact.) The pass goes on with the
 * connections it got — everything copied, exit 0 — and says once how many it used and what to set.
 * Before, each refused lane failed the folders it took.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { corpusAsFolders, seedMailbox } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { plainFlags, runCli } from '../helpers/run-cli.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');

describe('a server that caps connections per account', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let db: TestDatabase;
  let proxy: FaultProxy;
  const src = { user: 'carl', password: 'pw-src' };
  const dst = { user: 'carl', password: 'pw-dst' };

  before(async () => {
    [source, target, db] = await Promise.all([
      startDovecot({ name: 'capped-src', users: { [src.user]: src.password } }),
      startDovecot({ name: 'capped-dst', users: { [dst.user]: dst.password } }),
      testDatabase('sync_connection_cap'),
    ]);
    await seedMailbox({ host: source.host, port: source.port, ...src }, corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')));
    proxy = await startFaultProxy(source.port);
    proxy.capConnections(2);
  });

  after(async () => {
    await proxy?.close();
    await Promise.all([source?.stop(), target?.stop(), db?.drop()]);
  });

  test('six connections asked, two allowed: everything copied on two, one warning saying what to set', async () => {
    const result = await runCli(['sync', ...plainFlags({ port: proxy.port, ...src }, { port: target.port, ...dst }), '--connections', '6'], { DATABASE_URL: db.url });
    assert.equal(result.code, 0, `exit ${result.code}: ${result.stdout.slice(-2000)}`);
    assert.match(result.stdout, /Messages: copied 6\d\d, .*failed 0/);
    const warnings = result.stdout.split('\n').filter((line) => /connections per side were used/.test(line));
    assert.equal(warnings.length, 1, result.stdout);
    assert.match(warnings[0] ?? '', /2 of 6 connections per side were used: 4 could not be opened .*Too many simultaneous connections.*Lower --connections/);
    assert.equal(proxy.peakConnections, 2);
    // The refused connections are reported once, in that warning: no error log with a stack per connection.
    assert.doesNotMatch(result.stderr, /"level":50|Command failed/);
    assertMailboxesEqual(await snapshotMailbox({ host: source.host, port: source.port, ...src }), await snapshotMailbox({ host: target.host, port: target.port, ...dst }));
  });
});
