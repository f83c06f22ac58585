/**
 * Bad input gets a clear error and loses nothing (non-negotiable 3): wrong passwords, an unreachable
 * host, TLS failures, a message the target rejects and a folder it cannot create each get their own
 * error code and exit code; the rest of the mailbox still migrates; the ledger records each failure
 * with its reason; and no password ever appears in the output.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { corpusAsFolders, seedMailbox, type SeedFolder } from '../helpers/seed-mailbox.ts';
import { compareMailboxes, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { jsonOf, plainFlags, runCli, type CliResult } from '../helpers/run-cli.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { freePort } from '../helpers/free-port.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');
const PASSWORDS = ['src-Secret-1', 'dst-Secret-2', 'wrong-Secret-3'];

interface Summary {
  counts: { copied: number; failed: number };
  failedItems: Array<{ folder: string; reasonCode: string; reason: string; attempts: number; subject: string | null }>;
  warnings: string[];
  error: { code: string; message: string; hint: string } | null;
  exitCode: number;
}

function assertNoSecret(result: CliResult): void {
  for (const secret of PASSWORDS) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), `a password leaked into the output: ${secret}`);
  }
}

describe('cutover sync with bad input', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let limited: DovecotInstance;
  let strictNames: DovecotInstance;
  let db: TestDatabase;
  const src = { user: 'alice', password: PASSWORDS[0] as string };
  const dst = { user: 'alice', password: PASSWORDS[1] as string };
  const env = (): NodeJS.ProcessEnv => ({ DATABASE_URL: db.url });

  before(async () => {
    [source, target, limited, strictNames, db] = await Promise.all([
      startDovecot({ name: 'bad-src', users: { alice: src.password, bob: src.password }, tls: true }),
      startDovecot({ name: 'bad-dst', users: { alice: dst.password } }),
      // Refuses messages over 300 kB (quota_max_mail_size): the 1.1 MB mailparser fixtures.
      startDovecot({ name: 'bad-limited', users: { alice: dst.password }, appendLimitBytes: 300_000 }),
      // maildir++ with '/' as separator cannot store a folder name containing '.'.
      startDovecot({ name: 'bad-names', users: { bob: dst.password }, delimiter: '/', layout: 'maildir++' }),
      testDatabase('bad_input'),
    ]);
    const edge: SeedFolder[] = corpusAsFolders(join(FIXTURES, 'mail-edge/mailparser'));
    await seedMailbox({ host: source.host, port: source.port, ...src }, edge);
    await seedMailbox({ host: source.host, port: source.port, user: 'bob', password: src.password }, [
      { path: 'Projects', messages: [{ raw: Buffer.from('Subject: p1\r\n\r\none\r\n') }, { raw: Buffer.from('Subject: p2\r\n\r\ntwo\r\n') }] },
      { path: 'Reports 2001.Q1', messages: [{ raw: Buffer.from('Subject: q1\r\n\r\nreport\r\n') }] },
      { path: 'INBOX', messages: [{ raw: Buffer.from('Subject: hi\r\n\r\nhello\r\n') }] },
    ]);
  });

  after(async () => {
    await Promise.all([source?.stop(), target?.stop(), limited?.stop(), strictNames?.stop(), db?.drop()]);
  });

  test('a wrong source password: exit 161, IMAP_AUTH_FAILED, nothing written', async () => {
    const result = await runCli(['sync', ...plainFlags({ port: source.port, user: 'alice', password: PASSWORDS[2] as string }, { port: target.port, ...dst }), '--json'], env());
    assert.equal(result.code, 161, result.stdout + result.stderr);
    assert.equal(jsonOf<Summary>(result).error?.code, 'IMAP_AUTH_FAILED');
    assertNoSecret(result);
  });

  test('a wrong target password: exit 162', async () => {
    const result = await runCli(['sync', ...plainFlags({ port: source.port, ...src }, { port: target.port, user: 'alice', password: PASSWORDS[2] as string })], env());
    assert.equal(result.code, 162, result.stdout + result.stderr);
    assert.match(result.stdout + result.stderr, /IMAP_AUTH_FAILED/);
    assert.match(result.stdout + result.stderr, /What to do: Check the user name and password/);
    assertNoSecret(result);
  });

  test('an unreachable source host: exit 101, IMAP_CONNECT_FAILED', async () => {
    const closed = await freePort();
    const result = await runCli(['sync', ...plainFlags({ port: closed, ...src }, { port: target.port, ...dst }), '--json'], env());
    assert.equal(result.code, 101, result.stdout + result.stderr);
    assert.equal(jsonOf<Summary>(result).error?.code, 'IMAP_CONNECT_FAILED');
  });

  test('TLS: an untrusted certificate fails with exit 12; trusting its CA works', async () => {
    const tlsFlags = (extra: string[]) => [
      'sync', '--justlogin', '--json',
      '--host1', '127.0.0.1', '--port1', String(source.tlsPort), '--user1', src.user, '--password1', src.password, '--ssl1', ...extra,
      '--host2', '127.0.0.1', '--port2', String(target.port), '--user2', dst.user, '--password2', dst.password, '--nossl2', '--notls2',
    ];
    const untrusted = await runCli(tlsFlags([]), env());
    assert.equal(untrusted.code, 12, untrusted.stdout + untrusted.stderr);
    assert.equal(jsonOf<Summary>(untrusted).error?.code, 'IMAP_TLS_FAILED');
    const trusted = await runCli(tlsFlags(['--cafile1', source.caCertPath as string]), env());
    assert.equal(trusted.code, 0, trusted.stdout + trusted.stderr);
    // STARTTLS on the plain port, verified against the same CA.
    const starttls = await runCli(['sync', '--justlogin',
      '--host1', '127.0.0.1', '--port1', String(source.port), '--user1', src.user, '--password1', src.password, '--tls1', '--cafile1', source.caCertPath as string,
      '--host2', '127.0.0.1', '--port2', String(target.port), '--user2', dst.user, '--password2', dst.password, '--nossl2', '--notls2'], env());
    assert.equal(starttls.code, 0, starttls.stdout + starttls.stderr);
    assertNoSecret(untrusted);
  });

  test('a message the target rejects is recorded with its reason; the rest migrates; exit 114', async () => {
    const flags = ['sync', ...plainFlags({ port: source.port, ...src }, { port: limited.port, ...dst }), '--json'];
    const first = await runCli(flags, env());
    const summary = jsonOf<Summary>(first);
    assert.equal(first.code, 114, first.stdout + first.stderr);
    assert.ok(summary.counts.failed >= 2, 'both ~1.1 MB messages failed');
    for (const item of summary.failedItems) {
      assert.ok(['ITEM_TOO_LARGE', 'ITEM_REJECTED'].includes(item.reasonCode), item.reasonCode);
      assert.ok(item.reason.length > 0);
    }
    const [s, t] = await Promise.all([
      snapshotMailbox({ host: source.host, port: source.port, ...src }),
      snapshotMailbox({ host: limited.host, port: limited.port, ...dst }),
    ]);
    const comparison = compareMailboxes(s, t);
    assert.equal(comparison.missing.length, summary.counts.failed, 'only the rejected messages are missing');
    assert.equal(comparison.extra.length, 0);
    // The next run retries them (attempts grows) and copies nothing twice.
    const second = jsonOf<Summary>(await runCli(flags, env()));
    assert.equal(second.counts.copied, 0);
    assert.ok(second.failedItems.every((item) => item.attempts >= 2));
    assertNoSecret(first);
  });

  test('a folder the target cannot create: its messages fail with FOLDER_CREATE_FAILED, other folders migrate; exit 116', async () => {
    const result = await runCli(['sync', ...plainFlags({ port: source.port, user: 'bob', password: src.password }, { port: strictNames.port, user: 'bob', password: dst.password }), '--json'], env());
    const summary = jsonOf<Summary>(result);
    assert.equal(result.code, 116, result.stdout + result.stderr);
    assert.ok(summary.warnings.some((w) => w.includes('Reports 2001.Q1')), summary.warnings.join('\n'));
    assert.deepEqual(summary.failedItems.map((i) => [i.folder, i.reasonCode]), [['Reports 2001.Q1', 'FOLDER_CREATE_FAILED']]);
    assert.equal(summary.counts.copied, 3, 'Projects and INBOX arrived');
    const target = await snapshotMailbox({ host: strictNames.host, port: strictNames.port, user: 'bob', password: dst.password });
    assert.equal(target.get('Projects')?.length, 2);
    assert.equal(target.get('INBOX')?.length, 1);
  });

  test('usage errors list every problem and exit 64', async () => {
    const result = await runCli(['sync', '--host1', 'x', '--port1', 'abc']);
    assert.equal(result.code, 64);
    for (const part of ['--user1', '--port1', '--host2']) assert.ok(result.stderr.includes(part), result.stderr);
  });

  test('the documentation lists every exit code used here', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/cli-sync.md'), 'utf8');
    for (const code of [0, 12, 64, 101, 111, 114, 116, 161, 162]) assert.match(doc, new RegExp(`\\| ${code} \\|`));
  });
});
