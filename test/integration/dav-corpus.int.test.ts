/**
 * Calendars and contacts between two different real servers (Radicale 3 and Xandikos), both
 * directions: every corpus item the source accepts arrives on the target with the same meaning; a
 * rerun copies nothing; broken items are reported with the parser's reason; new and changed items
 * arrive on the next delta, by sync-collection and by ETag listing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRadicale, type RadicaleInstance } from '../helpers/radicale.ts';
import { startXandikos, type XandikosInstance } from '../helpers/xandikos.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { jsonOf, runCli } from '../helpers/run-cli.ts';
import { assertSameItems, calendarCorpus, contactCorpus, http, makeCollection, snapshot, seed, type DavAccount, type SeedItem, type SnapshotItem } from './dav-harness.ts';

interface DavRunJson {
  kind: string;
  status: string;
  counts: { collections: number; copied: number; updated: number; alreadyThere: number; skipped: number; excluded: number; failed: number };
  collections: Array<{ source: string; method: string | null; error: { code: string } | null }>;
  failedItems: Array<{ href: string; reasonCode: string; reason: string }>;
}
interface Summary { dav: DavRunJson[]; exitCode: number }

function flagsFor(source: DavAccount, target: DavAccount): string[] {
  const side = (n: 1 | 2, a: DavAccount): string[] => [
    `--caldav${n}`, a.server.url, `--carddav${n}`, a.server.url, `--user${n}`, a.user, ...(a.password !== undefined ? [`--password${n}`, a.password] : []),
  ];
  return ['sync', ...side(1, source), ...side(2, target), '--json'];
}

const EVENT = (uid: string, summary: string): string => [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//cutover tests//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20240101T000000Z',
  'DTSTART:20300101T100000Z', 'DTEND:20300101T110000Z', `SUMMARY:${summary}`, 'ORGANIZER:mailto:boss@old.example',
  'ATTENDEE;CN=Ann;PARTSTAT=ACCEPTED:mailto:ann@old.example', 'END:VEVENT', 'END:VCALENDAR', '',
].join('\r\n');

/** Writes each source item as served into a scratch account on the target server and reads it back: the server's own normalisation. */
async function referenceOn(account: DavAccount, items: readonly SnapshotItem[]): Promise<(item: SnapshotItem) => string | undefined> {
  const made = new Set<string>();
  for (const item of items) {
    const kind = /BEGIN:VCARD/i.test(item.data) ? 'carddav' : 'caldav';
    if (!made.has(`${kind}:${item.collection}`)) {
      await makeCollection(account, kind, `${kind}-${item.collection}`, item.collection);
      made.add(`${kind}:${item.collection}`);
    }
    // An item without UID gets one on the way (the engine adds `cutover-…`, which comparisons ignore); the reference gets one too.
    const eol = item.data.includes('\r\n') ? '\r\n' : '\n';
    const data = item.uid !== null ? item.data : item.data.replace(/^(END:(?:VCARD|VEVENT|VTODO|VJOURNAL))\r?$/gim, `UID:cutover-reference-${item.href.split("/").pop() ?? ""}${eol}$1`);
    await http(account, 'PUT', `${account.server.homePath(account.user, kind)}${kind}-${item.collection}/${item.href.split('/').pop() ?? ''}`, data, { 'Content-Type': kind === 'caldav' ? 'text/calendar' : 'text/vcard' });
  }
  const stored = new Map<string, string>();
  for (const kind of ['caldav', 'carddav'] as const) {
    for (const r of await snapshot(account, kind)) stored.set(`${r.collection}/${r.href.split('/').pop() ?? ''}`, r.normalised);
  }
  return (item) => stored.get(`${/BEGIN:VCARD/i.test(item.data) ? 'carddav' : 'caldav'}-${item.collection}/${item.href.split('/').pop() ?? ''}`);
}

for (const direction of ['radicale-to-xandikos', 'xandikos-to-radicale'] as const) {
  describe(`DAV migration ${direction}`, () => {
    let radicale: RadicaleInstance;
    let xandikos: XandikosInstance;
    let source: DavAccount;
    let target: DavAccount;
    let db: TestDatabase;
    const seeded: Record<'caldav' | 'carddav', { accepted: SeedItem[]; refused: Array<{ item: SeedItem; status: number }> }> = {
      caldav: { accepted: [], refused: [] }, carddav: { accepted: [], refused: [] },
    };
    const env = (): NodeJS.ProcessEnv => ({ DATABASE_URL: db.url });

    before(async () => {
      [radicale, xandikos, db] = await Promise.all([startRadicale({ users: { alice: 'alice-pw', ref: 'ref-pw' } }), startXandikos(), testDatabase(`dav_${direction.replace(/-/g, '_')}`)]);
      const r: DavAccount = { server: radicale, user: 'alice', password: 'alice-pw' };
      const x: DavAccount = { server: xandikos, user: xandikos.user };
      [source, target] = direction === 'radicale-to-xandikos' ? [r, x] : [x, r];
      seeded.caldav = await seed(source, 'caldav', calendarCorpus());
      seeded.carddav = await seed(source, 'carddav', contactCorpus());
    });

    after(async () => {
      await Promise.all([radicale?.stop(), xandikos?.stop(), db?.drop()]);
    });

    test('full pass: every item the source accepted arrives with the same meaning; broken ones are reported', async () => {
      assert.ok(seeded.caldav.accepted.length > 30, `the source accepted ${seeded.caldav.accepted.length} calendar files`);
      assert.ok(seeded.carddav.accepted.length >= 2, `the source accepted ${seeded.carddav.accepted.length} vCards`);
      const result = await runCli(flagsFor(source, target), env());
      const summary = jsonOf<Summary>(result);
      const [cal, card] = summary.dav as [DavRunJson, DavRunJson];
      const [srcCal, dstCal, srcCard, dstCard] = await Promise.all([snapshot(source, 'caldav'), snapshot(target, 'caldav'), snapshot(source, 'carddav'), snapshot(target, 'carddav')]);
      // Items the source serves but that are not valid iCalendar/vCard are reported with a reason, not copied.
      const failedHrefs = new Set([...cal.failedItems, ...card.failedItems].map((f) => f.href));
      for (const f of [...cal.failedItems, ...card.failedItems]) assert.ok(f.reasonCode.startsWith('DAV_ITEM_') && f.reason.length > 0, JSON.stringify(f));
      // Both servers re-parse what they store (Radicale re-serialises it; Xandikos re-serialises some items, e.g. escaped
      // commas in CATEGORIES): the expected form of an item is what the target server makes of it when written there directly.
      const scratch: DavAccount = target.server.name === 'radicale' ? { server: target.server, user: 'ref', password: 'ref-pw' } : target;
      const reference = await referenceOn(scratch, [...srcCal, ...srcCard]);
      assertSameItems(srcCal.filter((i) => !failedHrefs.has(i.href)), dstCal, `${direction} calendars`, reference);
      assertSameItems(srcCard.filter((i) => !failedHrefs.has(i.href)), dstCard, `${direction} contacts`, reference);
      assert.equal(cal.counts.copied + cal.counts.failed, srcCal.length, JSON.stringify(cal.counts));
      assert.equal(card.counts.copied + card.counts.failed, srcCard.length, JSON.stringify(card.counts));
      assert.ok([0, 114].includes(result.code ?? -1), result.stdout + result.stderr);
      console.log(`${direction}: source refused at seeding ${seeded.caldav.refused.length} .ics and ${seeded.carddav.refused.length} vCards; ` +
        `copied ${cal.counts.copied} calendar items and ${card.counts.copied} contacts; failed with reasons ${cal.counts.failed + card.counts.failed} (invalid at the source or refused by the target)`);
    });

    test('a rerun copies nothing; only collections with failed items are opened again', async () => {
      const summary = jsonOf<Summary>(await runCli(flagsFor(source, target), env()));
      for (const run of summary.dav) {
        assert.equal(run.counts.copied, 0, JSON.stringify(run.counts));
        assert.equal(run.counts.updated, 0, JSON.stringify(run.counts));
        // Only collections with items still failed (invalid at the source) are opened again.
        for (const c of run.collections) assert.ok(run.failedItems.some((f) => f.href.startsWith(c.source)), `${c.source} opened without a reason`);
      }
    });

    test('new and changed events and contacts at the source arrive on the next delta (sync-collection, then ETag listing)', async () => {
      const calHome = source.server.homePath(source.user, 'caldav');
      const collection = `${calHome}ical-js-samples/`;
      assert.equal((await http(source, 'PUT', `${collection}delta-new.ics`, EVENT('delta-new@cutover', 'New at the source'), { 'Content-Type': 'text/calendar' })).status, 201);
      const changedItem = seeded.caldav.accepted.find((i) => i.collection === 'ical-js-samples' && /^SUMMARY:/m.test(i.data) && !/RECURRENCE-ID/.test(i.data));
      assert.ok(changedItem);
      const changed = changedItem.data.replace(/SUMMARY:[^\r\n]*/, 'SUMMARY:Changed at the source');
      assert.ok(changed !== changedItem.data);
      const put = await http(source, 'PUT', `${collection}${changedItem.name}`, changed, { 'Content-Type': 'text/calendar' });
      assert.ok([201, 204].includes(put.status), String(put.status));
      const first = jsonOf<Summary>(await runCli([...flagsFor(source, target), '--rewrite-domain', 'old.example=new.example'], env()));
      const cal = first.dav[0] as DavRunJson;
      assert.equal(cal.counts.copied, 1, JSON.stringify(cal.counts));
      assert.ok(cal.counts.updated >= 1, JSON.stringify(cal.counts));
      assert.ok(cal.collections.every((c) => c.method === 'sync-collection'), JSON.stringify(cal.collections));
      const dst = await snapshot(target, 'caldav');
      const arrived = dst.find((i) => i.uid === 'delta-new@cutover');
      assert.ok(arrived, 'the new event is on the target');
      assert.match(arrived.normalised, /boss@new\.example/);
      assert.match(arrived.normalised, /ann@new\.example/);
      assert.ok(dst.some((i) => i.normalised.includes('Changed at the source')), 'the changed event is updated on the target');

      // The ETag fallback: a server without sync-collection (simulated with --dav-etag-only).
      assert.equal((await http(source, 'PUT', `${collection}delta-etag.ics`, EVENT('delta-etag@cutover', 'Found by ETag'), { 'Content-Type': 'text/calendar' })).status, 201);
      const second = jsonOf<Summary>(await runCli([...flagsFor(source, target), '--rewrite-domain', 'old.example=new.example', '--dav-etag-only'], env()));
      const cal2 = second.dav[0] as DavRunJson;
      assert.equal(cal2.counts.copied, 1, JSON.stringify(cal2.counts));
      assert.equal(cal2.counts.updated, 0, JSON.stringify(cal2.counts));
      assert.ok((await snapshot(target, 'caldav')).some((i) => i.uid === 'delta-etag@cutover'));
    });
  });
}
