/**
 * A target that stores a re-rendered message instead of the bytes it was given (as Exchange and
 * Microsoft 365 do), imitated by the fault proxy putting a header in front of every APPEND literal:
 * the copies' size, and so their fingerprint, differ from the source's. Real Dovecot, real PostgreSQL,
 * project passes as a worker runs them.
 * - an APPEND answer lost after the server stored the batch: the folder's retry finds the in-doubt
 *   items by Message-ID and INTERNALDATE (copy-identity.ts) and sends nothing twice;
 * - a verify pass then finds every item present (one without a Message-ID by its recorded UID), and
 *   a delta copies nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
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
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { connectImap, corpusAsFolders, seedMailbox, type ImapEndpoint } from '../helpers/seed-mailbox.ts';
import { snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');
const KEY = randomBytes(32);
const PREFIX = 'X-Stored-By: a server that re-renders mail\r\n';
const TWIN = 'From: twin@example.test\r\nSubject: twin\r\nMessage-ID: <twin@example.test>\r\nDate: Fri, 1 Mar 2024 10:00:00 +0000\r\n\r\nsame\r\n';

function options(kind: PassKind, folders: string[] | null): PassOptions {
  return {
    kind, selection: { include: [], exclude: [], folders, regexTrans: [], automap: false }, filters: {},
    syncFlags: false, dryRun: false, justFolders: false, connections: 2, worker: 'rewriting-test', ...DEFAULT_BATCH, batchMessages: 10,
  };
}

/** Per folder, the sorted sha256 of every message with the proxy's prefix taken off again. */
async function unprefixedShas(account: ImapEndpoint): Promise<Map<string, string[]>> {
  const client = await connectImap(account);
  const result = new Map<string, string[]>();
  try {
    for (const folder of await client.list()) {
      if (folder.flags.has('\\Noselect')) continue;
      const lock = await client.getMailboxLock(folder.path);
      try {
        const shas: string[] = [];
        if ((client.mailbox !== false ? client.mailbox.exists : 0) > 0) {
          for await (const m of client.fetch('1:*', { source: true })) {
            const raw = m.source ?? Buffer.alloc(0);
            assert.ok(raw.subarray(0, PREFIX.length).toString('latin1') === PREFIX, `${folder.path}: a copy without the prefix`);
            shas.push(createHash('sha256').update(raw.subarray(PREFIX.length)).digest('hex'));
          }
        }
        result.set(folder.path, shas.sort());
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout();
  }
  return result;
}

describe('a target that rewrites what it stores', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  let database: TestDatabase;
  let pool: pg.Pool;
  let proxy: FaultProxy;
  let pairId: string;
  const src = { user: 'rita', password: 'rita-source-pw' };
  const dst = { user: 'rita', password: 'rita-target-pw' };

  before(async () => {
    [source, target, database] = await Promise.all([
      startDovecot({ name: 'rewrite-src', users: { [src.user]: src.password } }),
      startDovecot({ name: 'rewrite-dst', users: { [dst.user]: dst.password } }),
      testDatabase('sync_rewriting_target'),
    ]);
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
    await migrate(pool);
    proxy = await startFaultProxy(target.port);
    proxy.rewriteAppends(PREFIX);
    const folders = corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')).filter((f) => ['credit', 'belden'].includes(f.path));
    await seedMailbox({ host: source.host, port: source.port, ...src }, [
      ...folders,
      { path: 'Twins', messages: [{ raw: Buffer.from(TWIN) }, { raw: Buffer.from(TWIN) }] },
      { path: 'NoId', messages: [{ raw: Buffer.from('From: a@example.test\r\nSubject: no Message-ID\r\n\r\nbody\r\n') }] },
    ]);
    const endpoint = (name: string, port: number) => ({ name, host: '127.0.0.1', port, tls: 'none' as const, tlsVerify: false, authKind: 'password' as const, maxConnections: 4 });
    const sourceId = await createEndpoint(pool, KEY, endpoint('rewrite source', source.port));
    const targetId = await createEndpoint(pool, KEY, endpoint('rewrite target', proxy.port));
    const project = await createProject(pool, { name: 'rewrite', sourceEndpointId: sourceId, targetEndpointId: targetId });
    const csv = 'Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags\n' +
      `rita@src.test,${src.user},${src.password},rita@dst.test,${dst.user},${dst.password},\n`;
    assert.equal((await importCsv(pool, KEY, project.id, csv)).errors.length, 0);
    pairId = (await listProjectPairs(pool, project.id, { limit: 10, offset: 0 })).pairs[0]!.id;
  });

  after(async () => {
    await proxy?.close();
    await pool?.end();
    await Promise.all([source?.stop(), target?.stop(), database?.drop()]);
  });

  const pass = async (kind: PassKind, folders: string[] | null = null) => {
    const ref = await loadPairRef(pool, KEY, pairId);
    return runPass({ pool, openSession: (e, name) => openImapSession(e, { connectionName: name }), logger: silentLogger(), clock: systemClock }, ref, options(kind, folders));
  };

  test('a lost APPEND answer: the in-doubt batch is found, not sent twice; verify finds every item; a delta copies nothing', async () => {
    // The third APPEND answer is swallowed after the server stored the batch, then every connection cut.
    // (Not NoId: a copy without a Message-ID cannot be recognised on such a server; docs/passes-and-ledger.md.)
    proxy.swallowAppendAnswer(2);
    const full = await pass('full', ['credit', 'belden', 'Twins']);
    assert.equal(full.status, 'completed', JSON.stringify(full));
    assert.ok(full.counts.alreadyThere > 0, `the in-doubt batch was looked up: ${JSON.stringify(full.counts)}`);
    const rest = await pass('delta');
    assert.equal(rest.counts.copied, 1);

    const sourceShas = new Map([...(await snapshotMailbox({ host: source.host, port: source.port, ...src }))].map(([folder, messages]) => [folder, messages.map((m) => m.sha256).sort()]));
    const targetShas = await unprefixedShas({ host: target.host, port: target.port, ...dst });
    for (const [folder, shas] of sourceShas) assert.deepEqual(targetShas.get(folder), shas, `${folder}: every message once`);

    const verify = await pass('verify');
    const counts = (verify.counts as unknown as { verify: VerifyCounts }).verify;
    assert.deepEqual([counts.missingOnTarget, counts.extraOnTarget, counts.notMigrated], [0, 0, 0], JSON.stringify(counts));
    assert.equal(counts.present, full.counts.copied + full.counts.alreadyThere + 1);
    const delta = await pass('delta');
    assert.deepEqual([delta.counts.copied, delta.counts.failed], [0, 0]);
  });
});
