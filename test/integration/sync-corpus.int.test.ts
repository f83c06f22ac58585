/**
 * `cutover sync` end to end between two real Dovecot instances: the Enron mailbox of scholtes-d
 * with its nested folders plus every mail-edge message arrive complete (same bytes up to CRLF,
 * flags, keywords, INTERNALDATE, each exactly once); a rerun copies nothing; new mail arrives on the
 * next run; flag changes travel with --syncflags. The source uses '.' as delimiter (maildir++), the
 * target '/', and the source "Sent Items" (\Sent) must land in the target's own \Sent folder "Sent".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { connectImap, corpusAsFolders, seedMailbox, type SeedFolder } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { jsonOf, plainFlags, runCli } from '../helpers/run-cli.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');
const folderMap = (path: string): string => (path === 'Sent Items' ? 'Sent' : path);

interface Summary {
  status: string;
  counts: { folders: number; copied: number; alreadyThere: number; skipped: number; excluded: number; failed: number; flagsUpdated: number };
  folders: Array<{ source: string; target: string }>;
  exitCode: number;
}

/** The corpus as seed folders, with flags, keywords and INTERNALDATEs spread over the messages. */
function corpus(): SeedFolder[] {
  const enron = corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')).map((folder) =>
    folder.path === 'sent_items' ? { ...folder, path: 'Sent Items', specialUse: '\\Sent' } : folder);
  const edge = corpusAsFolders(join(FIXTURES, 'mail-edge')).map((folder) => ({ ...folder, path: `mail-edge/${folder.path}` }));
  const folders = [...enron, ...edge];
  let n = 0;
  for (const folder of folders) {
    folder.messages = folder.messages.map((message) => {
      n++;
      const flags: string[] = [];
      if (n % 3 === 0) flags.push('\\Seen');
      if (n % 5 === 0) flags.push('\\Flagged', '$Label1');
      if (n % 7 === 0) flags.push('\\Answered', 'NonJunk');
      return { ...message, flags, internalDate: new Date(Date.UTC(2001, 0, 1) + n * 3_600_000) };
    });
  }
  // Non-ASCII nested names (modified UTF-7 on the wire) and two byte-identical messages.
  const first = folders[0]?.messages[0];
  assert.ok(first);
  folders.push({ path: 'Projets/Été 2001', messages: [first, { ...first }] });
  folders.push({ path: 'Входящие/日本語', messages: [{ raw: Buffer.from('Subject: unicode folder\r\n\r\nbody\r\n') }] });
  return folders;
}

describe('cutover sync: the real corpus between two Dovecot instances', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  const dataDir = mkdtempSync(join(tmpdir(), 'cutover-sync-'));
  const src = { user: 'diana', password: 'source-secret' };
  const dst = { user: 'diana.new', password: 'target-secret' };
  let flags: string[];
  let seeded = 0;

  before(async () => {
    [source, target] = await Promise.all([
      startDovecot({ name: 'corpus-src', users: { [src.user]: src.password }, delimiter: '.', specialUse: { 'Sent Items': '\\Sent' } }),
      startDovecot({ name: 'corpus-dst', users: { [dst.user]: dst.password }, delimiter: '/', specialUse: { Sent: '\\Sent', Trash: '\\Trash' }, autoCreateSpecialUse: true }),
    ]);
    const folders = corpus();
    seeded = folders.reduce((sum, f) => sum + f.messages.length, 0);
    await seedMailbox({ host: source.host, port: source.port, ...src }, folders);
    flags = [...plainFlags({ port: source.port, ...src }, { port: target.port, ...dst }), '--data-dir', dataDir, '--json'];
  });

  after(async () => {
    await Promise.all([source?.stop(), target?.stop()]);
  });

  const snapshots = async () => Promise.all([
    snapshotMailbox({ host: source.host, port: source.port, ...src }),
    snapshotMailbox({ host: target.host, port: target.port, ...dst }),
  ]);

  test('first run copies every message exactly once, with flags and dates', async () => {
    const result = await runCli(['sync', ...flags]);
    const summary = jsonOf<Summary>(result);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(summary.counts.copied, seeded);
    assert.equal(summary.counts.failed, 0);
    const [s, t] = await snapshots();
    assertMailboxesEqual(s, t, { folderMap });
    assert.ok(t.has('Sent'), 'Sent Items (\\Sent) landed in the target\'s \\Sent folder');
    assert.ok(!t.has('Sent Items'), 'no second sent folder was created');
    assert.equal(t.get('Projets/Été 2001')?.length, 2, 'two identical messages arrive as two');
    assert.ok(t.has('outbox/personal/untitled'), 'nested folders survive');
    assert.ok(t.has('Входящие/日本語'), 'non-ASCII names survive');
  });

  test('a second run copies nothing and doubles nothing', async () => {
    const result = await runCli(['sync', ...flags]);
    const summary = jsonOf<Summary>(result);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(summary.counts.copied, 0);
    assert.equal(summary.folders.length, 0, 'no folder changed, so none was opened');
    const [s, t] = await snapshots();
    assertMailboxesEqual(s, t, { folderMap });
  });

  test('after new mail at the source, the next run copies exactly those', async () => {
    const added: SeedFolder[] = [
      { path: 'INBOX', messages: [1, 2, 3].map((i) => ({ raw: Buffer.from(`Message-ID: <new-${i}@test>\r\nSubject: new ${i}\r\n\r\nhello ${i}\r\n`), flags: ['\\Seen'] })) },
      { path: 'Projets/Été 2001', messages: [{ raw: Buffer.from('Subject: ajouté\r\n\r\nnouveau\r\n') }] },
    ];
    await seedMailbox({ host: source.host, port: source.port, ...src }, added);
    const result = await runCli(['sync', ...flags]);
    const summary = jsonOf<Summary>(result);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(summary.counts.copied, 4);
    // Source paths keep the source's own delimiter ('.'); the target's is '/'.
    assert.deepEqual(summary.folders.map((f) => [f.source, f.target]).sort(), [['INBOX', 'INBOX'], ['Projets.Été 2001', 'Projets/Été 2001']]);
    const [s, t] = await snapshots();
    assertMailboxesEqual(s, t, { folderMap });
  });

  test('--syncflags carries flag changes of migrated messages', async () => {
    const client = await connectImap({ host: source.host, port: source.port, ...src });
    try {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd('1:3', ['\\Flagged', '$Important']);
    } finally {
      await client.logout();
    }
    const withoutFlagSync = jsonOf<Summary>(await runCli(['sync', ...flags]));
    assert.equal(withoutFlagSync.counts.flagsUpdated, 0, 'flags are not carried unless asked');
    const result = await runCli(['sync', ...flags, '--syncflags']);
    const summary = jsonOf<Summary>(result);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(summary.counts.flagsUpdated, 3);
    assert.equal(summary.counts.copied, 0);
    const [s, t] = await snapshots();
    assertMailboxesEqual(s, t, { folderMap });
  });

  test('--dry changes nothing', async () => {
    await seedMailbox({ host: source.host, port: source.port, ...src }, [{ path: 'INBOX', messages: [{ raw: Buffer.from('Subject: dry\r\n\r\nx\r\n') }] }]);
    const before = (await snapshots())[1];
    const summary = jsonOf<Summary & { dryRun: boolean }>(await runCli(['sync', ...flags, '--dry']));
    assert.equal(summary.dryRun, true);
    assert.equal(summary.counts.copied, 1, 'the dry run reports what it would copy');
    const afterDry = (await snapshots())[1];
    assert.deepEqual([...afterDry.entries()].map(([k, v]) => [k, v.length]), [...before.entries()].map(([k, v]) => [k, v.length]));
    const real = jsonOf<Summary>(await runCli(['sync', ...flags]));
    assert.equal(real.counts.copied, 1, 'the dry run recorded nothing in the ledger');
  });
});
