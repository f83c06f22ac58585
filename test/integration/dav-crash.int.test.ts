/**
 * Crash safety of DAV passes, as for mail: `cutover sync` killed with SIGKILL at several points of a
 * calendar + contacts pass (Xandikos → Radicale), then run again. Afterwards every source item is on
 * the target exactly once (UID multiset per collection) with the same meaning, and the ledger holds
 * nothing in doubt.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startRadicale, type RadicaleInstance } from '../helpers/radicale.ts';
import { startXandikos, type XandikosInstance } from '../helpers/xandikos.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { collect, jsonOf, runCli, spawnCli } from '../helpers/run-cli.ts';
import { assertSameItems, calendarCorpus, contactCorpus, http, makeCollection, seed, snapshot, type DavAccount, type SnapshotItem } from './dav-harness.ts';

interface Summary { dav: Array<{ counts: { copied: number; alreadyThere: number; failed: number }; failedItems: Array<{ href: string }> }>; exitCode: number }

/** Number of resources in all collections of the account (cheap: PROPFIND only). */
async function countItems(account: DavAccount): Promise<number> {
  let total = 0;
  const body = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>';
  const home = await http(account, 'PROPFIND', account.server.homePath(account.user, 'caldav'), body, { Depth: '1', 'Content-Type': 'application/xml' });
  const collections = [...home.body.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/g)].map((m) => decodeURIComponent(m[1] as string)).filter((h) => h !== account.server.homePath(account.user, 'caldav'));
  for (const c of collections) {
    const list = await http(account, 'PROPFIND', c, body, { Depth: '1', 'Content-Type': 'application/xml' });
    total += [...list.body.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/g)].filter((m) => !(m[1] as string).endsWith('/')).length;
  }
  return total;
}

async function ledgerStates(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM dav_items GROUP BY state');
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  } finally {
    await client.end();
  }
}

describe('crash safety of DAV passes (Xandikos → Radicale)', () => {
  let xandikos: XandikosInstance;
  let radicale: RadicaleInstance;
  let db: TestDatabase;
  let source: DavAccount;
  let target: DavAccount;

  before(async () => {
    [xandikos, radicale, db] = await Promise.all([startXandikos(), startRadicale({ users: { alice: 'alice-pw', ref: 'ref-pw' } }), testDatabase('dav_crash')]);
    source = { server: xandikos, user: xandikos.user };
    target = { server: radicale, user: 'alice', password: 'alice-pw' };
    await seed(source, 'caldav', calendarCorpus());
    await seed(source, 'carddav', contactCorpus());
  });

  after(async () => {
    await Promise.all([xandikos?.stop(), radicale?.stop(), db?.drop()]);
  });

  test('killed with SIGKILL at several points, then run again: nothing lost, nothing doubled', async () => {
    const args = ['sync', '--caldav1', xandikos.url, '--carddav1', xandikos.url, '--user1', xandikos.user,
      '--caldav2', radicale.url, '--carddav2', radicale.url, '--user2', 'alice', '--password2', 'alice-pw',
      '--json', '--batch-messages', '4', '--connections', '1'];
    const env = { DATABASE_URL: db.url };
    const kills: number[] = [];
    for (const threshold of [1, 10, 25, 40]) {
      const child = spawnCli(args, env);
      const done = collect(child);
      let seen = 0;
      while (child.exitCode === null) {
        seen = await countItems(target).catch(() => seen);
        if (seen >= threshold) {
          child.kill('SIGKILL');
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      const result = await done;
      assert.equal(result.signal, 'SIGKILL', `the run ended before it could be killed at ${threshold}: ${result.stdout}${result.stderr}`);
      kills.push(seen);
    }
    const final = jsonOf<Summary>(await runCli(args, env));
    const states = await ledgerStates(db.url);
    assert.equal(states['in_doubt'] ?? 0, 0, JSON.stringify(states));

    const [src, dst] = await Promise.all([
      Promise.all([snapshot(source, 'caldav'), snapshot(source, 'carddav')]).then((s) => s.flat()),
      Promise.all([snapshot(target, 'caldav'), snapshot(target, 'carddav')]).then((s) => s.flat()),
    ]);
    const failed = new Set(final.dav.flatMap((d) => d.failedItems.map((f) => f.href)));
    // The expected form of each item: what Radicale makes of it when written there directly.
    const scratch: DavAccount = { server: radicale, user: 'ref', password: 'ref-pw' };
    const stored = new Map<string, string>();
    const made = new Set<string>();
    for (const item of src) {
      const kind = /BEGIN:VCARD/i.test(item.data) ? 'carddav' : 'caldav';
      if (!made.has(item.collection)) {
        await makeCollection(scratch, kind, item.collection, item.collection);
        made.add(item.collection);
      }
      const name = item.href.split('/').pop() ?? '';
      const eol = item.data.includes('\r\n') ? '\r\n' : '\n';
      const data = item.uid !== null ? item.data : item.data.replace(/^(END:(?:VCARD|VEVENT|VTODO|VJOURNAL))\r?$/gim, `UID:cutover-reference-${name}${eol}$1`);
      await http(scratch, 'PUT', `/ref/${item.collection}/${name}`, data, { 'Content-Type': kind === 'caldav' ? 'text/calendar' : 'text/vcard' });
    }
    for (const r of [...await snapshot(scratch, 'caldav'), ...await snapshot(scratch, 'carddav')]) stored.set(`${r.collection}/${r.href.split('/').pop() ?? ''}`, r.normalised);
    const reference = (item: SnapshotItem): string | undefined => stored.get(`${item.collection}/${item.href.split('/').pop() ?? ''}`);
    assertSameItems(src.filter((i) => !failed.has(i.href)), dst, 'after the kills', reference);
    assert.ok(kills.every((seen, i) => i === 0 || seen >= (kills[i - 1] ?? 0)), `each run went further: ${kills.join(', ')}`);

    const again = jsonOf<Summary>(await runCli(args, env));
    for (const run of again.dav) assert.equal(run.counts.copied, 0, 'a run after recovery copies nothing');
  });
});
