import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUid, generatedUid } from './ensure-uid.ts';
import { inEventWindow } from './event-window.ts';
import { itemFingerprint, normaliseItem } from './normalise-item.ts';
import { parseItem } from './parse-item.ts';
import { parseDomainRewrite, rewriteAddresses } from './rewrite-addresses.ts';
import { needsConversion, vcard21To30 } from './vcard-convert.ts';
import { mapCollections } from './collection-map.ts';
import { targetHref } from './target-href.ts';
import type { DavCollectionData } from '../../connectors/dav/types.ts';

const EVENT = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//a//EN', 'BEGIN:VEVENT', 'UID:e1', 'DTSTAMP:20240101T000000Z',
  'DTSTART:20240110T100000Z', 'DTEND:20240110T110000Z', 'SUMMARY:Meeting', 'ORGANIZER;CN=Boss:mailto:boss@old.example',
  'ATTENDEE;PARTSTAT=ACCEPTED;EMAIL=ann@old.example:mailto:ann@old.example', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

test('normalisation ignores folding, line endings, property order, PRODID and parameter quoting', () => {
  const refolded = EVENT.replace('SUMMARY:Meeting', 'SUMMARY:Mee\r\n ting').replace('PRODID:-//a//EN', 'PRODID:-//other//EN').replace(/\r\n/g, '\n');
  const reordered = EVENT.replace('SUMMARY:Meeting\r\n', '').replace('UID:e1', 'SUMMARY:Meeting\r\nUID:e1').replace('CN=Boss', 'CN="Boss"');
  assert.equal(normaliseItem(refolded), normaliseItem(EVENT));
  assert.equal(itemFingerprint(reordered), itemFingerprint(EVENT));
  assert.notEqual(itemFingerprint(EVENT.replace('Meeting', 'Other')), itemFingerprint(EVENT));
});

test('parseItem: UID, component, summary; invalid items carry the reason', () => {
  const ok = parseItem('caldav', EVENT);
  assert.deepEqual([ok.uid, ok.component, ok.summary, ok.invalid], ['e1', 'VEVENT', 'Meeting', null]);
  assert.match(parseItem('caldav', 'BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n').invalid ?? '', /not VCALENDAR/);
  assert.match(parseItem('caldav', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VCALENDAR\r\n').invalid ?? '', /does not close|never closed/);
  const card = parseItem('carddav', 'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;John\r\nTEL;HOME;VOICE:123\r\nEND:VCARD\r\n');
  assert.equal(card.invalid, null);
  assert.equal(card.version, '2.1');
});

test('address rewriting touches organizer, attendees and EMAIL only; other lines keep their bytes', () => {
  const out = rewriteAddresses(EVENT, [parseDomainRewrite('old.example=new.example')]);
  assert.match(out, /ORGANIZER;CN=Boss:mailto:boss@new\.example/);
  assert.match(out, /ATTENDEE;PARTSTAT=ACCEPTED;EMAIL=ann@new\.example:mailto:ann@new\.example/);
  assert.match(out, /DTSTAMP:20240101T000000Z\r\n/);
  assert.equal(rewriteAddresses(EVENT, [parseDomainRewrite('other.example=new.example')]), EVENT);
  assert.throws(() => parseDomainRewrite('nonsense'));
  const card = rewriteAddresses('BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL;TYPE=work:a@OLD.example\r\nEND:VCARD\r\n', [{ from: 'old.example', to: 'new.example' }]);
  assert.match(card, /EMAIL;TYPE=work:a@new\.example/);
});

test('vCard 2.1 → 3.0: bare types, quoted-printable, BASE64; photos keep their bytes', () => {
  const v21 = ['BEGIN:VCARD', 'VERSION:2.1', 'N:Doe;John', 'TEL;HOME;VOICE:123', 'LABEL;HOME;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Street 1,=0D=0A=', 'Town', 'PHOTO;ENCODING=BASE64;TYPE=JPEG:', ' AAEC', ' AwQ=', '', 'END:VCARD', ''].join('\r\n');
  const v30 = vcard21To30(v21);
  assert.match(v30, /VERSION:3\.0/);
  assert.match(v30, /TEL;TYPE=HOME,VOICE:123/);
  assert.match(v30, /LABEL;TYPE=HOME:Street 1\\,\\nTown/);
  assert.match(v30, /PHOTO;TYPE=JPEG;ENCODING=b:AAECAwQ=/);
  assert.equal(vcard21To30('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n'), 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n');
  assert.equal(needsConversion('2.1', ['3.0', '4.0']), true);
  assert.equal(needsConversion('2.1', []), false);
});

test('a missing UID is added, derived from the source identity, only where missing', () => {
  const uid = generatedUid('/cal/', '/cal/a.ics');
  assert.equal(uid, generatedUid('/cal/', '/cal/a.ics'));
  const withUid = addUid('carddav', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n', uid);
  assert.match(withUid, new RegExp(`UID:${uid}\\r\\nEND:VCARD`));
  assert.equal(addUid('caldav', EVENT, uid).includes(uid), false);
});

test('event window: single and recurring events, exceptions', () => {
  const w = { from: new Date('2024-06-01T00:00:00Z'), until: null, rule: 'events from 2024-06-01' };
  assert.equal(inEventWindow(EVENT, w), false);
  assert.equal(inEventWindow(EVENT.replace('END:VEVENT', 'RRULE:FREQ=MONTHLY;COUNT=12\r\nEND:VEVENT'), w), true);
  assert.equal(inEventWindow(EVENT.replace('END:VEVENT', 'RRULE:FREQ=MONTHLY;COUNT=2\r\nEND:VEVENT'), w), false);
  assert.equal(inEventWindow(EVENT, null), true);
  assert.equal(inEventWindow('BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n', w), true);
});

const col = (path: string, displayName: string | null = null): DavCollectionData => ({
  url: `http://h${path}`, path, kind: 'caldav', displayName, description: null, color: null, components: [], syncToken: null, ctag: null,
  supportsSyncCollection: true, addressDataVersions: [],
});

test('collection mapping: rule, same name, display name, else a new collection; never two onto one by guess', () => {
  const targets = [col('/u/cal/work/'), col('/u/cal/abc/', 'Private')];
  const m = mapCollections([col('/s/work/'), col('/s/home/', 'Private'), col('/s/x/'), col('/s/y/')], targets, 'http://h/u/cal/', new Map([['y', 'work']]));
  assert.deepEqual(m.map((x) => [x.targetPath, x.how, x.create]), [
    ['/u/cal/work/', 'name', false], ['/u/cal/abc/', 'displayname', false], ['/u/cal/x/', 'new', true], ['/u/cal/work/', 'rule', false],
  ]);
});

test('target href keeps a safe source name, else a hash; alternatives differ', () => {
  assert.equal(targetHref('/t/', '/s/', '/s/a.ics', '.ics'), '/t/a.ics');
  assert.match(targetHref('/t/', '/s/', '/s/a b?.ics', '.ics'), /^\/t\/cutover-[0-9a-f]{32}\.ics$/);
  assert.notEqual(targetHref('/t/', '/s/', '/s/a.ics', '.ics', 1), targetHref('/t/', '/s/', '/s/a.ics', '.ics', 2));
});
