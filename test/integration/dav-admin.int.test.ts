/**
 * Logins: an admin account writing into another user's calendars (Radicale rights with an admin
 * section), and a wrong password reported with the side and imapsync's exit code. Also the event
 * date-range filter: events outside the window are recorded `excluded`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRadicale, type RadicaleInstance } from '../helpers/radicale.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { jsonOf, runCli } from '../helpers/run-cli.ts';
import { http, makeCollection, snapshot, type DavAccount } from './dav-harness.ts';

const event = (uid: string, start: string): string => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', 'BEGIN:VEVENT', `UID:${uid}`,
  'DTSTAMP:20200101T000000Z', `DTSTART:${start}`, 'SUMMARY:x', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

interface Summary { dav: Array<{ counts: { copied: number; excluded: number }; error: { code: string } | null }>; exitCode: number }

describe('DAV logins and the event window', () => {
  let radicale: RadicaleInstance;
  let db: TestDatabase;
  const alice: () => DavAccount = () => ({ server: radicale, user: 'alice', password: 'alice-pw' });

  before(async () => {
    [radicale, db] = await Promise.all([startRadicale({ users: { alice: 'alice-pw', bob: 'bob-pw' }, admins: { admin: 'admin-pw' } }), testDatabase('dav_admin')]);
    await makeCollection(alice(), 'caldav', 'work', 'Work', '#ff0000ff');
    for (const [uid, start] of [['old@t', '20100101T100000Z'], ['new@t', '20300101T100000Z'], ['weekly@t', '20100104T100000Z']] as const) {
      const data = uid === 'weekly@t' ? event(uid, start).replace('END:VEVENT', 'RRULE:FREQ=WEEKLY\r\nEND:VEVENT') : event(uid, start);
      assert.equal((await http(alice(), 'PUT', `/alice/work/${uid.replace('@', '-')}.ics`, data, { 'Content-Type': 'text/calendar' })).status, 201);
    }
  });

  after(async () => {
    await Promise.all([radicale?.stop(), db?.drop()]);
  });

  test('an admin login writes into the user\'s home; the window excludes old events; name and colour are kept', async () => {
    // Radicale creates a user's principal collection at the user's first login; a provisioned target account has one.
    await http({ server: radicale, user: 'bob', password: 'bob-pw' }, 'PROPFIND', '/bob/', undefined, { Depth: '0' });
    const result = await runCli(['sync', '--caldav1', radicale.url, '--user1', 'alice', '--password1', 'alice-pw',
      '--caldav2', radicale.url, '--user2', 'bob', '--authuser2', 'admin', '--password2', 'admin-pw', '--dav-from', '2024-01-01', '--json'], { DATABASE_URL: db.url });
    const summary = jsonOf<Summary>(result);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual([summary.dav[0]?.counts.copied, summary.dav[0]?.counts.excluded], [2, 1]);
    const bob = await snapshot({ server: radicale, user: 'bob', password: 'bob-pw' }, 'caldav');
    assert.deepEqual(bob.map((i) => i.uid).sort(), ['new@t', 'weekly@t']);
    const props = await http({ server: radicale, user: 'bob', password: 'bob-pw' }, 'PROPFIND', '/bob/work/',
      '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/><I:calendar-color xmlns:I="http://apple.com/ns/ical/"/></D:prop></D:propfind>', { Depth: '0', 'Content-Type': 'application/xml' });
    assert.match(props.body, /Work/);
    assert.match(props.body, /#ff0000ff/);
  });

  test('a wrong target password: DAV_AUTH_FAILED on the target side, exit code 162', async () => {
    const result = await runCli(['sync', '--caldav1', radicale.url, '--user1', 'alice', '--password1', 'alice-pw',
      '--caldav2', radicale.url, '--user2', 'bob', '--password2', 'wrong', '--full', '--json'], { DATABASE_URL: db.url });
    const summary = jsonOf<Summary>(result);
    assert.equal(summary.dav[0]?.error?.code, 'DAV_AUTH_FAILED');
    assert.equal(result.code, 162);
  });
});
