/**
 * Proves the integration-test helpers against real servers, so that a failing migration test can be
 * trusted to point at the migration code and not at the helpers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import pg from 'pg';
import { doveadm, runDirFor, startDovecot } from '../helpers/dovecot.ts';
import type { DovecotInstance } from '../helpers/dovecot.ts';
import { assertMailboxesEqual, compareMailboxes, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import type { MailboxSnapshot } from '../helpers/mailbox-snapshot.ts';
import { connectImap, corpusAsFolders, loadCorpusFolder, seedMailbox, toCrlf } from '../helpers/seed-mailbox.ts';
import type { ImapEndpoint, SeedFolder } from '../helpers/seed-mailbox.ts';
import { testDatabase } from '../helpers/postgres.ts';

const fixtures = join(import.meta.dirname, '../fixtures/mail');
/** What Dovecot stores after APPEND: CRLF line endings, and a NUL byte turned into 0x80. */
const sha = (raw: Buffer): string => createHash('sha256').update(toCrlf(raw).map((b) => (b === 0 ? 0x80 : b))).digest('hex');

describe('integration test helpers', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let limited: DovecotInstance;
  let sourceAlice: ImapEndpoint;
  let targetAlice: ImapEndpoint;

  const enron = corpusAsFolders(join(fixtures, 'enron-scholtes-d'));
  const edge = loadCorpusFolder(join(fixtures, 'mail-edge'));
  const byPath = (path: string): Buffer => {
    const found = edge.find((m) => m.relPath === path);
    assert.ok(found, path);
    return found.raw;
  };
  const sentItems = enron.find((f) => f.path === 'sent_items');
  const inbox = enron.find((f) => f.path === 'INBOX');
  assert.ok(sentItems && inbox);
  const nulMessage = byPath('dovecot-thirdparty/005.eml');
  const crlfMessage = byPath('enmime-mail/qp-utf8-header.eml');
  const date = new Date('2001-05-14T16:39:00Z');
  const seed: SeedFolder[] = [
    { path: 'INBOX', messages: inbox.messages.slice(0, 5) },
    {
      path: 'Projets/Été 2001',
      messages: [
        { raw: nulMessage, flags: ['\\Seen', '$Label1'], internalDate: date },
        { raw: crlfMessage, flags: ['\\Flagged', '\\Answered'], internalDate: date },
        // The same message twice: the comparison must count it twice.
        { raw: inbox.messages[0]!.raw, flags: ['\\Seen'], internalDate: date },
        { raw: inbox.messages[0]!.raw, flags: ['\\Seen'], internalDate: date },
      ],
    },
    { path: 'Sent Items', specialUse: '\\Sent', messages: sentItems.messages.slice(0, 10).map((m) => ({ ...m, flags: ['\\Seen'] })) },
    { path: 'stf/current_issues', messages: enron.find((f) => f.path === 'stf/current_issues')!.messages },
  ];
  const seededCount = seed.reduce((n, f) => n + f.messages.length, 0);
  const toTarget = (path: string): string => (path === 'Sent Items' ? 'Sent' : path);

  before(async () => {
    [source, target, limited] = await Promise.all([
      startDovecot({ name: 'source', users: { alice: 'alice-pw' }, masterUsers: { admin: 'admin-pw' }, delimiter: '.', tls: true, specialUse: { 'Sent Items': '\\Sent' } }),
      startDovecot({ name: 'target', users: { alice: 'alice-target-pw' }, delimiter: '/', specialUse: { Sent: '\\Sent' }, autoCreateSpecialUse: true, appendLimitBytes: 100_000 }),
      startDovecot({ name: 'limited', users: { carol: 'carol-pw' }, quotaBytes: 20_000, capabilities: 'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ UIDPLUS SPECIAL-USE' }),
    ]);
    sourceAlice = { host: source.host, port: source.port, user: 'alice', password: 'alice-pw', caCertPath: source.caCertPath! };
    targetAlice = { host: target.host, port: target.port, user: 'alice', password: 'alice-target-pw' };
  });

  after(async () => {
    await Promise.all([source?.stop(), target?.stop(), limited?.stop()]);
  });

  test('implicit TLS on the imaps port verifies with the instance CA', async () => {
    assert.ok(source.tlsPort && source.caCertPath);
    const client = await connectImap({ ...sourceAlice, port: source.tlsPort, secure: true });
    assert.equal(client.secureConnection, true);
    await client.logout();
  });

  test('STARTTLS on the plain port', async () => {
    const client = await connectImap(sourceAlice);
    assert.equal(client.secureConnection, true);
    await client.logout();
  });

  test('TLS without the CA certificate is rejected', async () => {
    const client = new ImapFlow({ host: source.host, port: source.tlsPort!, secure: true, auth: { user: 'alice', pass: 'alice-pw' }, logger: false });
    await assert.rejects(client.connect());
    client.close();
  });

  let sourceSnapshot: MailboxSnapshot;

  test('seedMailbox + snapshotMailbox round trip: folders, bytes, flags, dates, special use', async () => {
    await seedMailbox(sourceAlice, seed);
    sourceSnapshot = await snapshotMailbox(sourceAlice);
    for (const folder of seed) {
      const got = sourceSnapshot.get(folder.path);
      assert.ok(got, `folder ${folder.path} missing from ${[...sourceSnapshot.keys()].join(', ')}`);
      assert.deepEqual(
        got.map((m) => m.sha256),
        folder.messages.map((m) => sha(m.raw)),
        `${folder.path}: stored bytes (LF->CRLF) and UID order match the seed`,
      );
      for (const [i, m] of folder.messages.entries()) {
        assert.deepEqual(got[i]!.flags, [...(m.flags ?? [])].sort());
        if (m.internalDate) assert.equal(got[i]!.internalDate, m.internalDate.toISOString());
      }
    }
    // 'Projets' only exists as a parent; 'stf' likewise.
    assert.deepEqual([...sourceSnapshot.keys()].sort(), ['INBOX', 'Projets/Été 2001', 'Sent Items', 'stf/current_issues']);

    const client = await connectImap(sourceAlice);
    const listed = await client.list();
    await client.logout();
    const sent = listed.find((m) => m.path === 'Sent Items');
    assert.equal(sent?.specialUse, '\\Sent');
    assert.equal(sent?.specialUseSource, 'extension');
    // Stored as modified UTF-7 with the server's '.' delimiter.
    assert.ok(listed.some((m) => m.pathAsListed === 'Projets.&AMk-t&AOk- 2001'), listed.map((m) => m.pathAsListed).join(', '));

    // doveadm sees the same through the instance's own config.
    const status = await doveadm(source, ['-f', 'flow', 'mailbox', 'status', '-u', 'alice', 'messages', 'Sent Items']);
    assert.match(status, /messages=10/);
  });

  test('master user logs in as any user (user*admin), wrong password fails', async () => {
    const client = await connectImap({ ...sourceAlice, user: 'alice*admin', password: 'admin-pw' });
    assert.ok(client.authenticated);
    // Sees alice's mailbox, seeded above.
    const status = await client.status('Sent Items', { messages: true });
    assert.ok(status);
    assert.equal(status.messages, 10);
    await client.logout();
    await assert.rejects(connectImap({ ...sourceAlice, user: 'alice*admin', password: 'nope' }));
    await assert.rejects(connectImap({ ...sourceAlice, user: 'nobody-here*admin', password: 'admin-pw' }));
  });

  test('seedMailbox refuses a special use the server does not have', async () => {
    await assert.rejects(seedMailbox(sourceAlice, [{ path: 'Archive', specialUse: '\\Archive', messages: [] }]), /no special use/);
    const client = await connectImap(sourceAlice);
    await client.mailboxDelete('Archive');
    await client.logout();
  });

  test('compareMailboxes: identical copy through a folder map is OK', async () => {
    await seedMailbox(targetAlice, seed.map((f) => ({ ...f, path: toTarget(f.path) })));
    const targetSnapshot = await snapshotMailbox(targetAlice);
    const result = assertMailboxesEqual(sourceSnapshot, targetSnapshot, { folderMap: toTarget });
    assert.equal(result.ok, true, result.report);
    assert.equal(result.report.split('\n')[0], `mailbox comparison OK: 0 missing, 0 extra, 0 flag mismatches, 0 date mismatches (source ${seededCount} messages in 4 folders, target ${seededCount} in 4)`);
    // Without the map, 'Sent Items' is all missing and 'Sent' all extra.
    const unmapped = compareMailboxes(sourceSnapshot, targetSnapshot);
    assert.equal(unmapped.missing.length, 10);
    assert.equal(unmapped.extra.length, 10);
  });

  test('compareMailboxes detects a missing, a doubled and a re-flagged message', async () => {
    const client = await connectImap(targetAlice);
    const lock = await client.getMailboxLock('Projets/Été 2001');
    try {
      // Drop one of the two identical copies: the multiset must notice.
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      assert.equal(uids.length, 4);
      await client.messageDelete(String(uids[3]), { uid: true });
      await client.messageFlagsRemove(String(uids[0]), ['$Label1'], { uid: true });
    } finally {
      lock.release();
    }
    await client.append('INBOX', toCrlf(seed[0]!.messages[1]!.raw));
    await client.logout();

    const result = compareMailboxes(sourceSnapshot, await snapshotMailbox(targetAlice), toTarget);
    assert.equal(result.ok, false);
    assert.equal(result.missing.length, 1);
    assert.equal(result.missing[0]!.sha256, sha(inbox.messages[0]!.raw));
    assert.equal(result.missing[0]!.sourceFolder, 'Projets/Été 2001');
    assert.equal(result.extra.length, 1);
    assert.equal(result.extra[0]!.targetFolder, 'INBOX');
    assert.equal(result.flagMismatches.length, 1);
    assert.deepEqual(result.flagMismatches[0]!.targetFlags, ['\\Seen']);
    assert.equal(result.dateMismatches.length, 0);
    assert.match(result.report, /FAILED: 1 missing, 1 extra, 1 flag mismatches, 0 date mismatches/);
    assert.match(result.report, /"INBOX" <- INBOX: source 5, target 6/);
    assert.throws(() => assertMailboxesEqual(sourceSnapshot, new Map(), { folderMap: toTarget }), /missing \(first 5 of 55\)/);
  });

  test('the target rejects a message over appendLimitBytes with NO [LIMIT]', async () => {
    const big = byPath('mailparser/large_text.eml');
    assert.ok(big.length > 100_000);
    const client = await connectImap(targetAlice);
    await assert.rejects(client.append('INBOX', toCrlf(big)), (err: Error & { serverResponseCode?: string }) => {
      assert.equal(err.serverResponseCode, 'LIMIT');
      return true;
    });
    await client.logout();
  });

  test('capabilities can be hidden; seeding falls back to single APPENDs; quota gives OVERQUOTA', async () => {
    const carol: ImapEndpoint = { host: limited.host, port: limited.port, user: 'carol', password: 'carol-pw' };
    const client = await connectImap(carol);
    assert.equal(client.capabilities.has('CONDSTORE'), false);
    assert.equal(client.capabilities.has('MULTIAPPEND'), false);
    await client.logout();
    const small = seed[0]!.messages.slice(0, 3);
    await seedMailbox(carol, [{ path: 'INBOX', messages: small }]);
    assert.equal((await snapshotMailbox(carol)).get('INBOX')?.length, 3);
    const tooMuch = enron.find((f) => f.path === 'ferc')!.messages.slice(0, 20);
    await assert.rejects(seedMailbox(carol, [{ path: 'INBOX', messages: tooMuch }]), /OVERQUOTA|[Qq]uota/);
  });

  test('restart keeps the mail and the ports', async () => {
    const before = await snapshotMailbox(targetAlice);
    const started = Date.now();
    await target.restart();
    const ms = Date.now() - started;
    const afterRestart = await snapshotMailbox(targetAlice);
    assert.deepEqual(afterRestart, before);
    assert.ok(ms < 15_000, `restart took ${ms} ms`);
  });

  test('a state dir deeper than a unix socket path allows still starts (base_dir is short, linked as run/)', async () => {
    // CI checks out under /check/work/main: Dovecot's socket paths under the state dir passed 108 bytes.
    const deep = join(process.env['CUTOVER_TEST_STATE'] ?? join(import.meta.dirname, '../../.test-state'), 'deep-'.repeat(16) + process.pid);
    assert.ok(join(deep, 'run', 'token-login', 'imap-urlauth').length > 108);
    const instance = await startDovecot({ name: 'deep', users: { dora: 'dora-pw' }, stateDir: deep });
    try {
      const runDir = runDirFor(deep);
      assert.equal(realpathSync(join(deep, 'run')), runDir);
      assert.ok(existsSync(join(deep, 'run', 'master.pid')));
      const client = await connectImap({ host: instance.host, port: instance.port, user: 'dora', password: 'dora-pw' });
      await client.logout();
      // doveadm talks to the master through base_dir's sockets too.
      assert.match(await doveadm(instance, ['mailbox', 'list', '-u', 'dora']), /INBOX/);
    } finally {
      await instance.stop();
      rmSync(deep, { recursive: true, force: true });
    }
    assert.equal(existsSync(runDirFor(deep)), false);
  });

  test('testDatabase creates a fresh database that can be queried and dropped', async () => {
    const db = await testDatabase('helpers test');
    assert.match(new URL(db.url).pathname, /^\/helpers_test_[0-9a-f]{8}$/);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('CREATE TABLE t (id int PRIMARY KEY, name text)');
    await client.query('INSERT INTO t VALUES (1, $1)', ['Été']);
    const { rows } = await client.query<{ name: string; version: string }>('SELECT name, current_setting(\'server_version\') AS version FROM t');
    assert.equal(rows[0]?.name, 'Été');
    assert.match(rows[0]?.version ?? '', /^15\./);
    await client.end();
    await db.drop();
    const again = new pg.Client({ connectionString: db.url });
    await assert.rejects(again.connect(), /does not exist/);
    await again.end().catch(() => undefined);
  });

  test('fixtures are the corpus bytes (LF Enron, CRLF edge case kept)', () => {
    const raw = readFileSync(join(fixtures, 'enron-scholtes-d/1.eml'));
    assert.equal(raw.includes('\r\n'), false);
    assert.ok(crlfMessage.includes('\r\n'));
    assert.ok(nulMessage.includes(0));
  });
});
