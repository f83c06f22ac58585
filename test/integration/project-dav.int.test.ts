/**
 * Calendars and contacts in a project: a project with IMAP endpoints (two Dovecot) and CalDAV +
 * CardDAV endpoints (Radicale source, Xandikos target). One CSV row gives the mailbox pair and its two
 * companion DAV pairs; `startProject` with a real in-process worker runs all three; mail, events and
 * contacts arrive; the report counts the DAV items; a verify pass finds nothing; an event deleted on the
 * target is named by the next verify and put back by the next delta.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ensureDavPairs } from '../../src/projects/dav-pairs.ts';
import { createEndpoint } from '../../src/projects/endpoints.ts';
import { importCsv } from '../../src/projects/import-pairs.ts';
import { requestPass, startProject, type PairActionContext } from '../../src/projects/pair-actions.ts';
import { failedItems, projectReport } from '../../src/projects/reports.ts';
import { migrate } from '../../src/store/migrate.ts';
import { listPasses } from '../../src/store/pass.repository.ts';
import { createProject } from '../../src/store/project.repository.ts';
import { getProjectPair } from '../../src/store/project-pair.repository.ts';
import { listFindings } from '../../src/store/verify-finding.repository.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startRadicale, type RadicaleInstance } from '../helpers/radicale.ts';
import { corpusAsFolders, seedMailbox } from '../helpers/seed-mailbox.ts';
import { startXandikos, type XandikosInstance } from '../helpers/xandikos.ts';
import { until } from '../helpers/until.ts';
import { startInProcessWorker, type InProcessWorker } from '../helpers/in-process-worker.ts';
import { assertSameItems, http, makeCollection, snapshot, type DavAccount } from './dav-harness.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');
const KEY = randomBytes(32);

const EVENT = (uid: string, summary: string): string => [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//cutover tests//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z',
  'DTSTART:20300101T100000Z', 'DTEND:20300101T110000Z', `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', '',
].join('\r\n');
const CARD = (uid: string, name: string): string => ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, `FN:${name}`, `N:${name};;;;`, `EMAIL:${uid}@example.org`, 'END:VCARD', ''].join('\r\n');


describe('calendars and contacts in a project', () => {
  let imapSource: DovecotInstance;
  let imapTarget: DovecotInstance;
  let radicale: RadicaleInstance;
  let xandikos: XandikosInstance;
  let database: TestDatabase;
  let pool: pg.Pool;
  let queue: InProcessWorker | undefined;
  let ctx: PairActionContext;
  let projectId: string;
  const src = { user: 'alice', password: 'alice-pw' };
  const dst = { user: 'bob', password: 'bob-pw' };
  const davSource = (): DavAccount => ({ server: radicale, ...src });
  const davTarget = (): DavAccount => ({ server: xandikos, user: dst.user });

  const pairsOf = async (): Promise<Array<{ id: string; protocol: string }>> => (await pool.query<{ id: string; protocol: string }>(
    'SELECT p.id, e.protocol FROM pairs p JOIN endpoints e ON e.id = p.source_endpoint_id WHERE p.project_id = $1 ORDER BY p.id', [projectId])).rows
    .map((r) => ({ id: String(r.id), protocol: r.protocol }));
  const settled = async (ids: readonly string[]): Promise<boolean> => {
    const states = await Promise.all(ids.map(async (id) => (await getProjectPair(pool, id))?.state));
    return states.every((s) => s === 'completed');
  };
  const runAndWait = async (pairId: string, kind: 'delta' | 'verify'): Promise<void> => {
    const before = (await listPasses(pool, pairId, 1))[0]?.id ?? null;
    await requestPass(ctx, pairId, kind);
    await until(`the ${kind} pass of pair ${pairId}`, async () => {
      const [last] = await listPasses(pool, pairId, 1);
      const pair = await getProjectPair(pool, pairId);
      return last && last.id !== before && last.finishedAt !== null && pair?.state !== 'queued' && pair?.state !== 'running';
    });
  };

  before(async () => {
    [imapSource, imapTarget, radicale, xandikos, database] = await Promise.all([
      startDovecot({ name: 'pdav-src', users: { [src.user]: src.password } }),
      startDovecot({ name: 'pdav-dst', users: { [dst.user]: dst.password } }),
      startRadicale({ users: { [src.user]: src.password } }),
      startXandikos({ user: dst.user }),
      testDatabase('project_dav'),
    ]);
    pool = new pg.Pool({ connectionString: database.url, max: 12 });
    await migrate(pool);
    await seedMailbox({ host: imapSource.host, port: imapSource.port, ...src }, corpusAsFolders(join(FIXTURES, 'mail-edge')));
    await makeCollection(davSource(), 'caldav', 'work', 'Work');
    await makeCollection(davSource(), 'carddav', 'people', 'People');
    for (const n of [1, 2, 3]) {
      assert.equal((await http(davSource(), 'PUT', `/alice/work/e${n}.ics`, EVENT(`event-${n}@t`, `Meeting ${n}`), { 'Content-Type': 'text/calendar' })).status, 201);
      assert.equal((await http(davSource(), 'PUT', `/alice/people/c${n}.vcf`, CARD(`card-${n}`, `Person ${n}`), { 'Content-Type': 'text/vcard' })).status, 201);
    }

    const imap = (name: string, port: number) => ({ name, host: '127.0.0.1', port, tls: 'none' as const, tlsVerify: false, authKind: 'password' as const, maxConnections: 2 });
    const dav = (name: string, protocol: 'caldav' | 'carddav', url: string) => ({ ...imap(name, 1), protocol, url });
    const project = await createProject(pool, {
      name: 'with-dav',
      sourceEndpointId: await createEndpoint(pool, KEY, imap('imap-s', imapSource.port)),
      targetEndpointId: await createEndpoint(pool, KEY, imap('imap-t', imapTarget.port)),
      sourceCaldavEndpointId: await createEndpoint(pool, KEY, dav('cal-s', 'caldav', radicale.url)),
      targetCaldavEndpointId: await createEndpoint(pool, KEY, dav('cal-t', 'caldav', xandikos.url)),
      sourceCarddavEndpointId: await createEndpoint(pool, KEY, dav('card-s', 'carddav', radicale.url)),
      targetCarddavEndpointId: await createEndpoint(pool, KEY, dav('card-t', 'carddav', xandikos.url)),
    });
    projectId = project.id;
    queue = await startInProcessWorker({ databaseUrl: database.url, pool, secretKey: KEY, concurrency: 3, controlPollMs: 200 });
    ({ ctx } = queue);
  });

  after(async () => {
    await queue?.stop();
    await pool?.end();
    await Promise.all([imapSource?.stop(), imapTarget?.stop(), radicale?.stop(), xandikos?.stop(), database?.drop()]);
  });

  test('one CSV row gives a mailbox pair and its CalDAV and CardDAV pairs; re-import changes nothing', async () => {
    const csv = 'Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags\n' +
      `alice@s.test,${src.user},${src.password},bob@t.test,${dst.user},${dst.password},\n`;
    const first = await importCsv(pool, KEY, projectId, csv);
    assert.deepEqual([first.created, first.errors.length], [1, 0]);
    assert.deepEqual((await pairsOf()).map((p) => p.protocol), ['imap', 'caldav', 'carddav']);
    const again = await importCsv(pool, KEY, projectId, csv);
    assert.deepEqual([again.created, again.updated, again.unchanged, again.errors.length], [0, 0, 1, 0]);
    assert.equal((await pairsOf()).length, 3);
    assert.equal(await ensureDavPairs(pool, projectId), 0, 'companions are in step already');
  });

  test('startProject runs all three pairs; mail, events and contacts arrive; the report counts DAV items', async () => {
    const pairs = await pairsOf();
    const started = await startProject(ctx, projectId);
    assert.equal(started.queued, 3);
    await until('all pairs to complete', () => settled(pairs.map((p) => p.id)), 180_000);
    const [s, t] = await Promise.all([
      snapshotMailbox({ host: imapSource.host, port: imapSource.port, ...src }),
      snapshotMailbox({ host: imapTarget.host, port: imapTarget.port, ...dst }),
    ]);
    assertMailboxesEqual(s, t);
    for (const kind of ['caldav', 'carddav'] as const) {
      assertSameItems(await snapshot(davSource(), kind), (await snapshot(davTarget(), kind)).filter((i) => i.collection !== 'calendar' && i.collection !== 'addressbook'), kind);
    }
    const report = await projectReport(pool, projectId, new Date());
    const mail = report.pairRows.find((r) => r.pairId === pairs[0]?.id);
    const davRows = report.pairRows.filter((r) => r.pairId !== pairs[0]?.id);
    assert.deepEqual(davRows.map((r) => r.migrated), [3, 3]);
    assert.equal(report.items.migrated, (mail?.migrated ?? 0) + 6);
    assert.equal(report.items.failed, 0);
    assert.equal((await failedItems(pool, { projectId, limit: 10, offset: 0 })).total, 0);
  });

  test('verify finds nothing; an event deleted on the target is named, and the next delta puts it back', async () => {
    const cal = (await pairsOf()).find((p) => p.protocol === 'caldav')?.id as string;
    await runAndWait(cal, 'verify');
    const [clean] = await listPasses(pool, cal, 1);
    assert.equal(clean?.status, 'completed');
    assert.deepEqual(await listFindings(pool, cal, clean?.id), []);

    const onTarget = (await snapshot(davTarget(), 'caldav')).find((i) => i.uid === 'event-2@t');
    assert.ok(onTarget, 'event 2 on the target');
    assert.ok([200, 204].includes((await http(davTarget(), 'DELETE', onTarget.href)).status));
    await runAndWait(cal, 'verify');
    const [found] = await listPasses(pool, cal, 1);
    const findings = await listFindings(pool, cal, found?.id);
    assert.deepEqual(findings.map((f) => [f.kind, f.subject]), [['missing_on_target', 'Meeting 2']]);
    assert.equal((await getProjectPair(pool, cal))?.lastErrorCode, 'VERIFY_MISSING');
    const failed = await failedItems(pool, { projectId, limit: 10, offset: 0 });
    assert.deepEqual(failed.items.map((i) => [i.subject, i.reasonCode]), [['Meeting 2', 'VERIFY_MISSING']]);
    assert.match(failed.items[0]?.folder ?? '', /work\/$/);

    await runAndWait(cal, 'delta');
    assert.ok((await snapshot(davTarget(), 'caldav')).some((i) => i.uid === 'event-2@t'), 'event 2 is back');
    await runAndWait(cal, 'verify');
    const [last] = await listPasses(pool, cal, 1);
    assert.deepEqual(await listFindings(pool, cal, last?.id), []);
  });
});
