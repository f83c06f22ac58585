/**
 * The verify pass against two real Dovecot servers: after a full pass it finds nothing; a message
 * deleted by hand on the target is named (missing_on_target) and set back to failed, a message added
 * by hand on the target is named (extra_on_target), one added at the source is named (not_migrated);
 * the next delta pass puts the missing message back and the target equals the source again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { openImapSession } from '../../src/connectors/imap/imap-session.ts';
import { runPass } from '../../src/engine/run-pass.ts';
import { DEFAULT_BATCH, type PassOptions } from '../../src/engine/pass-types.ts';
import type { PassKind } from '../../src/core/ledger.ts';
import type { VerifyCounts } from '../../src/engine/verify-pass.ts';
import { createEndpoint } from '../../src/projects/endpoints.ts';
import { importCsv } from '../../src/projects/import-pairs.ts';
import { loadPairRef } from '../../src/projects/pair-endpoints.ts';
import { migrate } from '../../src/store/migrate.ts';
import { createProject } from '../../src/store/project.repository.ts';
import { listProjectPairs } from '../../src/store/project-pair.repository.ts';
import { listFindings } from '../../src/store/verify-finding.repository.ts';
import { listItems } from '../../src/store/ledger.repository.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { connectImap, corpusAsFolders, seedMailbox } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');
const KEY = randomBytes(32);

function options(kind: PassKind): PassOptions {
  return {
    kind, selection: { include: [], exclude: [], folders: null, regexTrans: [], automap: false }, filters: {},
    syncFlags: false, dryRun: false, justFolders: false, connections: 2, worker: 'verify-test', ...DEFAULT_BATCH,
  };
}

describe('verify pass', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let database: TestDatabase;
  let pool: pg.Pool;
  let pairId: string;
  const src = { user: 'alice', password: 'alice-source-pw' };
  const dst = { user: 'alice', password: 'alice-target-pw' };

  before(async () => {
    [source, target, database] = await Promise.all([
      startDovecot({ name: 'verify-src', users: { [src.user]: src.password } }),
      startDovecot({ name: 'verify-dst', users: { [dst.user]: dst.password } }),
      testDatabase('verify_pass'),
    ]);
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
    await migrate(pool);
    const folders = corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')).filter((f) => ['INBOX', 'credit', 'ferc', 'it'].includes(f.path));
    await seedMailbox({ host: source.host, port: source.port, ...src }, folders);
    const endpoint = (name: string, port: number) => ({ name, host: '127.0.0.1', port, tls: 'none' as const, tlsVerify: false, authKind: 'password' as const, maxConnections: 4 });
    const sourceId = await createEndpoint(pool, KEY, endpoint('verify source', source.port));
    const targetId = await createEndpoint(pool, KEY, endpoint('verify target', target.port));
    const project = await createProject(pool, { name: 'verify', sourceEndpointId: sourceId, targetEndpointId: targetId });
    const csv = 'Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags\n' +
      `alice@src.test,${src.user},${src.password},alice@dst.test,${dst.user},${dst.password},\n`;
    const imported = await importCsv(pool, KEY, project.id, csv);
    assert.equal(imported.errors.length, 0, JSON.stringify(imported.errors));
    const { pairs } = await listProjectPairs(pool, project.id, { limit: 10, offset: 0 });
    pairId = pairs[0]!.id;
  });

  after(async () => {
    await pool?.end();
    await Promise.all([source?.stop(), target?.stop(), database?.drop()]);
  });

  const pass = async (kind: PassKind) => {
    const ref = await loadPairRef(pool, KEY, pairId);
    return runPass({ pool, openSession: (e, name) => openImapSession(e, { connectionName: name }), logger: silentLogger(), clock: systemClock }, ref, options(kind));
  };
  const verifyCounts = (counts: object): VerifyCounts => (counts as { verify: VerifyCounts }).verify;

  test('a complete copy verifies clean; a deleted, an extra and an unmigrated message are each named; a delta repairs', async () => {
    const full = await pass('full');
    assert.equal(full.status, 'completed');
    assert.ok(full.counts.copied > 50, `copied ${full.counts.copied}`);

    const clean = await pass('verify');
    assert.equal(clean.status, 'completed', JSON.stringify(clean.counts));
    assert.equal(verifyCounts(clean.counts).present, full.counts.copied);
    assert.equal(verifyCounts(clean.counts).missingOnTarget + verifyCounts(clean.counts).extraOnTarget + verifyCounts(clean.counts).notMigrated, 0);

    // By hand on the target: delete one message of "credit" (EXPUNGE), add one foreign message to INBOX.
    const client = await connectImap({ host: target.host, port: target.port, ...dst });
    let deletedSubject = '';
    try {
      const lock = await client.getMailboxLock('credit');
      try {
        const first = await client.fetchOne('1', { uid: true, envelope: true });
        assert.ok(first);
        deletedSubject = first.envelope?.subject ?? '';
        await client.messageDelete(String(first.uid), { uid: true });
      } finally {
        lock.release();
      }
      await client.append('INBOX', Buffer.from('From: someone@dst.test\r\nSubject: welcome to the new server\r\nMessage-ID: <welcome@dst.test>\r\n\r\nhello\r\n'));
    } finally {
      await client.logout();
    }
    // At the source: one new message the ledger has not seen yet.
    await seedMailbox({ host: source.host, port: source.port, ...src }, [{ path: 'it', messages: [{ raw: Buffer.from('From: x@src.test\r\nSubject: arrived after the pass\r\nMessage-ID: <late@src.test>\r\n\r\nlate\r\n') }] }]);

    const found = await pass('verify');
    assert.equal(found.status, 'completed_with_errors');
    const counts = verifyCounts(found.counts);
    assert.deepEqual({ missing: counts.missingOnTarget, extra: counts.extraOnTarget, notMigrated: counts.notMigrated }, { missing: 1, extra: 1, notMigrated: 1 });
    const findings = await listFindings(pool, pairId, found.passId ?? undefined);
    const missing = findings.find((f) => f.kind === 'missing_on_target');
    assert.equal(missing?.sourceFolder, 'credit');
    assert.equal(missing?.subject, deletedSubject);
    assert.equal(findings.find((f) => f.kind === 'extra_on_target')?.subject, 'welcome to the new server');
    assert.equal(findings.find((f) => f.kind === 'not_migrated')?.subject, 'arrived after the pass');
    const failed = await listItems(pool, pairId, { state: 'failed', limit: 10, offset: 0 });
    assert.deepEqual(failed.map((i) => [i.sourceFolder, i.reasonCode]), [['credit', 'VERIFY_MISSING']]);

    // The delta copies the missing message back (and the new one); the foreign message stays extra.
    const delta = await pass('delta');
    assert.equal(delta.status, 'completed');
    assert.equal(delta.counts.copied, 2);
    const after = await pass('verify');
    const end = verifyCounts(after.counts);
    assert.deepEqual({ missing: end.missingOnTarget, extra: end.extraOnTarget, notMigrated: end.notMigrated }, { missing: 0, extra: 1, notMigrated: 0 });

    // Remove the foreign message: target equals source, message by message.
    const cleanup = await connectImap({ host: target.host, port: target.port, ...dst });
    try {
      const lock = await cleanup.getMailboxLock('INBOX');
      try {
        const uids = await cleanup.search({ header: { 'message-id': '<welcome@dst.test>' } }, { uid: true });
        assert.ok(uids && uids.length === 1);
        await cleanup.messageDelete(uids.join(','), { uid: true });
      } finally {
        lock.release();
      }
    } finally {
      await cleanup.logout();
    }
    const [s, t] = await Promise.all([
      snapshotMailbox({ host: source.host, port: source.port, ...src }),
      snapshotMailbox({ host: target.host, port: target.port, ...dst }),
    ]);
    assertMailboxesEqual(s, t);
  });
});
