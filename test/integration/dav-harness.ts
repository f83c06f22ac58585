/**
 * Shared code of the DAV integration tests: seeding a real server with the corpus by plain HTTP (not
 * through the connector under test), reading a server back, and comparing two servers by UID multiset
 * and by an independent normalisation of each item (ical.js for iCalendar and vCard 3/4, sorted
 * content lines for vCard 2.1) — meaning, not bytes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join, relative, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import ICAL from 'ical.js';

export const DAV_FIXTURES = resolve(import.meta.dirname, '../fixtures/dav');

/** A server as the tests see it. */
export interface DavTestServer {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  homePath(user: string, kind: 'caldav' | 'carddav'): string;
}

/** An account on a test server. */
export interface DavAccount {
  readonly server: DavTestServer;
  readonly user: string;
  readonly password?: string;
}

/** One HTTP exchange with a test server. */
export function http(account: DavAccount, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const auth = account.password !== undefined ? { Authorization: `Basic ${Buffer.from(`${account.user}:${account.password}`).toString('base64')}` } : {};
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port: account.server.port, path: path.split('/').map(encodeURIComponent).join('/'), method, headers: { ...auth, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : Buffer.from(body, 'utf8'));
  });
}

/** A file of the corpus to seed: the collection it goes to, its resource name and text. */
export interface SeedItem {
  readonly collection: string;
  readonly name: string;
  readonly data: string;
  /** Corpus path, for messages. */
  readonly origin: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Every .ics of the corpus, one calendar per corpus folder (UIDs repeat across folders). */
export function calendarCorpus(): SeedItem[] {
  const root = join(DAV_FIXTURES, 'calendar');
  return walk(root).filter((p) => p.endsWith('.ics')).map((path) => {
    const rel = relative(root, path);
    const parts = rel.split('/');
    const collection = parts.slice(0, -1).join('-').replace(/[^A-Za-z0-9-]/g, '-').toLowerCase();
    return { collection, name: (parts[parts.length - 1] as string).replace(/[^A-Za-z0-9._-]/g, '_'), data: readFileSync(path, 'utf8'), origin: `calendar/${rel}` };
  });
}

/** Every vCard of the corpus, one resource per card (files with several cards are split; bytes of each card kept). */
export function contactCorpus(): SeedItem[] {
  const root = join(DAV_FIXTURES, 'contacts');
  return walk(root).filter((p) => p.endsWith('.vcf')).flatMap((path) => {
    const rel = relative(root, path);
    const text = readFileSync(path, 'utf8');
    const cards = text.match(/BEGIN:VCARD[\s\S]*?END:VCARD\r?\n?/gi) ?? [text];
    const base = (rel.split('/').pop() as string).replace(/\.vcf$/, '').replace(/[^A-Za-z0-9._-]/g, '_');
    return cards.map((data, i) => ({ collection: 'ez-vcard', name: cards.length > 1 ? `${base}-${i + 1}.vcf` : `${base}.vcf`, data, origin: `contacts/${rel}#${i + 1}` }));
  });
}

/** Creates a collection by MKCALENDAR / extended MKCOL. */
export async function makeCollection(account: DavAccount, kind: 'caldav' | 'carddav', name: string, displayName: string, color = '#3366ccff'): Promise<void> {
  const path = `${account.server.homePath(account.user, kind)}${name}/`;
  const body = kind === 'caldav'
    ? `<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>${displayName}</D:displayname><C:calendar-description>Seeded ${name}</C:calendar-description><I:calendar-color xmlns:I="http://apple.com/ns/ical/">${color}</I:calendar-color></D:prop></D:set></C:mkcalendar>`
    : `<?xml version="1.0"?><D:mkcol xmlns:D="DAV:" xmlns:A="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><A:addressbook/></D:resourcetype><D:displayname>${displayName}</D:displayname><A:addressbook-description>Seeded ${name}</A:addressbook-description></D:prop></D:set></D:mkcol>`;
  const res = await http(account, kind === 'caldav' ? 'MKCALENDAR' : 'MKCOL', path, body, { 'Content-Type': 'application/xml' });
  assert.ok(res.status === 201, `${kind} collection ${path} on ${account.server.name}: HTTP ${res.status} ${res.body}`);
}

/** PUTs every item; returns which the server accepted and which it refused (with its status). */
export async function seed(account: DavAccount, kind: 'caldav' | 'carddav', items: readonly SeedItem[]): Promise<{ accepted: SeedItem[]; refused: Array<{ item: SeedItem; status: number }> }> {
  const accepted: SeedItem[] = [];
  const refused: Array<{ item: SeedItem; status: number }> = [];
  const collections = new Set<string>();
  for (const item of items) {
    if (!collections.has(item.collection)) {
      await makeCollection(account, kind, item.collection, `Corpus ${item.collection}`);
      collections.add(item.collection);
    }
    const path = `${account.server.homePath(account.user, kind)}${item.collection}/${item.name}`;
    const res = await http(account, 'PUT', path, item.data, { 'Content-Type': kind === 'caldav' ? 'text/calendar' : 'text/vcard', 'If-None-Match': '*' });
    if (res.status === 201 || res.status === 204) accepted.push(item);
    else refused.push({ item, status: res.status });
  }
  return { accepted, refused };
}

/** One item read back from a server. */
export interface SnapshotItem {
  readonly collection: string;
  readonly href: string;
  readonly uid: string | null;
  readonly normalised: string;
  /** The bytes the server served. */
  readonly data: string;
}

const hrefs = (xml: string): string[] => [...xml.matchAll(/<(?:[\w]+:)?href>([^<]+)<\/(?:[\w]+:)?href>/g)].map((m) => decodeURIComponent((m[1] as string).replace(/^https?%3A\/\/[^/]+/i, '').replace(/^https?:\/\/[^/]+/i, '')));

/** Every item of every collection of the account's home, by collection name. */
export async function snapshot(account: DavAccount, kind: 'caldav' | 'carddav'): Promise<SnapshotItem[]> {
  const home = account.server.homePath(account.user, kind);
  const propfind = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>';
  const list = await http(account, 'PROPFIND', home, propfind, { Depth: '1', 'Content-Type': 'application/xml' });
  const marker = kind === 'caldav' ? /calendar ?\/>/ : /addressbook ?\/>/;
  const collections = list.body.split(/<(?:\w+:)?response>/).slice(1).filter((r) => marker.test(r)).flatMap((r) => hrefs(r).slice(0, 1));
  const out: SnapshotItem[] = [];
  for (const collection of collections) {
    const members = await http(account, 'PROPFIND', collection, propfind, { Depth: '1', 'Content-Type': 'application/xml' });
    for (const href of hrefs(members.body)) {
      if (href.endsWith('/')) continue;
      const got = await http(account, 'GET', href);
      assert.equal(got.status, 200, `GET ${href}`);
      const uid = uidOf(got.body);
      out.push({ collection: collection.split('/').filter(Boolean).pop() as string, href, uid: uid?.startsWith('cutover-') ? null : uid, normalised: normalise(got.body), data: got.body });
    }
  }
  return out;
}

function uidOf(text: string): string | null {
  const m = /^UID(?:;[^:\r\n]*)?:(.*?)\r?$/m.exec(text.replace(/\r?\n[ \t]/g, ''));
  return m ? (m[1] as string).trim() : null;
}

type Jcal = [string, Array<[string, Record<string, unknown>, string, ...unknown[]]>, Jcal[]];

const RECENT_MS = 2 * 86_400_000;

/** Objects (RRULE parts) with their keys sorted: the order of rule parts carries no meaning (RFC 5545 §3.3.10). */
function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
}

/** Properties a server adds or that carry no meaning: PRODID, a VCALENDAR VERSION, a generated UID, a DTSTAMP of "now" stamped by the server. */
function ignored(component: string, p: [string, Record<string, unknown>, string, ...unknown[]]): boolean {
  if (p[0] === 'prodid') return true;
  if (component === 'vcalendar' && p[0] === 'version') return true;
  if (p[0] === 'uid' && typeof p[3] === 'string' && p[3].startsWith('cutover-')) return true;
  if (p[0] === 'dtstamp' && typeof p[3] === 'string' && Math.abs(Date.parse(p[3]) - Date.now()) < RECENT_MS) return true;
  return false;
}

function canonicalJcal(node: Jcal): unknown {
  const [name, props, comps] = node;
  const keptProps = props.filter((p) => !ignored(name, p)).map((p) => {
    const params = Object.fromEntries(Object.entries(p[1]).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, typeof v === 'string' ? v.toLowerCase() : Array.isArray(v) ? v.map((x) => String(x).toLowerCase()).sort() : v]));
    // Values with trailing white space lose it in some serialisers; base64 may be re-wrapped.
    const values = p.slice(3).map((v) => (typeof v === 'string' ? v.replace(/\s+$/, '') : sortKeys(v)));
    return JSON.stringify([p[0], params, ...values]);
  }).sort();
  return [name, keptProps, comps.map((c) => JSON.stringify(canonicalJcal(c))).sort()];
}

/** Independent normalisation: ical.js's jCal/jCard with sorted properties and components; sorted unfolded lines otherwise. */
export function normalise(text: string): string {
  try {
    return JSON.stringify(canonicalJcal(ICAL.parse(text) as Jcal));
  } catch {
    const unfolded = text.replace(/\r\n|\r/g, '\n').replace(/\n[ \t]/g, '').replace(/=\n/g, '');
    return unfolded.split('\n').map((l) => l.replace(/\s+$/, '')).filter((l) => l !== '' && !/^(PRODID[:;]|UID:cutover-)/i.test(l)).sort().join('\n');
  }
}

/**
 * Asserts that every source item is on the target exactly once with the same meaning, collection by
 * collection (by name), matched by UID. `reference` gives, for a source item, what the target server
 * makes of it when it is written there directly (servers that re-serialise, e.g. Radicale adding a
 * VTIMEZONE): the target must hold exactly that. A vCard 2.1 the target received as 3.0 is compared
 * by what it says (vcardMeaning).
 */
export function assertSameItems(source: readonly SnapshotItem[], target: readonly SnapshotItem[], label: string, reference?: (item: SnapshotItem) => string | undefined): void {
  const group = (items: readonly SnapshotItem[]): Map<string, SnapshotItem[]> => {
    const m = new Map<string, SnapshotItem[]>();
    for (const i of items) {
      const key = `${i.collection}\u0000${i.uid ?? `(no uid) ${i.href.split('/').pop() ?? ''}`}`;
      m.set(key, [...(m.get(key) ?? []), i]);
    }
    return m;
  };
  // Items without a UID get one on the way; match them by resource name instead.
  const byName = (items: readonly SnapshotItem[]): SnapshotItem[] => items.map((i) => (i.uid === null ? { ...i, href: i.href } : i));
  const s = group(byName(source));
  const t = group(byName(target));
  const problems: string[] = [];
  for (const [key, items] of s) {
    const [collection, uid] = key.split('\u0000');
    const there = [...(t.get(key) ?? [])];
    if (there.length !== items.length) {
      problems.push(`${collection} UID ${uid}: ${items.length} at source, ${there.length} on target`);
      continue;
    }
    for (const item of items) {
      const expected = reference?.(item) ?? item.normalised;
      let index = there.findIndex((x) => x.normalised === expected);
      if (index < 0 && /VERSION:2\.1/.test(item.data)) index = there.findIndex((x) => vcardMeaning(x.data) === vcardMeaning(item.data));
      if (index < 0 && /VERSION:2\.1/.test(item.data)) {
        const want = vcardMeaning(item.data).split('\n');
        const got = vcardMeaning(there[0]?.data ?? '').split('\n');
        problems.push(`${collection} UID ${uid}: vCard 2.1 meaning differs: source only ${JSON.stringify(want.filter((x) => !got.includes(x)).map((x) => x.slice(0, 120)))}, target only ${JSON.stringify(got.filter((x) => !want.includes(x)).map((x) => x.slice(0, 120)))}`);
      } else if (index < 0) problems.push(`${collection} UID ${uid}: content differs\n  expected: ${expected.slice(0, 700)}\n  target:   ${there[0]?.normalised.slice(0, 700)}`);
      else there.splice(index, 1);
    }
  }
  for (const [key, items] of t) {
    const [collection] = key.split('\u0000');
    if (!s.has(key) && [...s.keys()].some((k) => k.startsWith(`${collection}\u0000`))) problems.push(`extra on target: ${key.replace('\u0000', ' UID ')} (${items.length})`);
  }
  assert.deepEqual(problems, [], `${label}: ${problems.length} difference(s)`);
}

function decodeQp(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '=' && /^[0-9A-F]{2}$/i.test(value.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(value[i] as string, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * What a vCard says, independent of its version (for a 2.1 card the target received as 3.0): FN, N,
 * TEL, EMAIL, ORG, TITLE, NOTE values (quoted-printable decoded, 3.0 escapes undone) and PHOTO bytes.
 */
export function vcardMeaning(text: string): string {
  // Unfold (RFC 2426 §2.6), and join quoted-printable soft line breaks — only on quoted-printable lines.
  const logical: string[] = [];
  for (const physical of text.replace(/\r\n|\r/g, '\n').split('\n')) {
    const last = logical.length - 1;
    const previous = logical[last];
    if (previous !== undefined && /^[ \t]/.test(physical)) logical[last] = previous + physical.slice(1);
    else if (previous !== undefined && /QUOTED-PRINTABLE/i.test(previous.split(':')[0] ?? '') && previous.endsWith('=')) logical[last] = previous.slice(0, -1) + physical;
    else logical.push(physical);
  }
  const out: string[] = [];
  for (const line of logical) {
    const m = /^(?:[\w-]+\.)?([A-Za-z-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    if (!m) continue;
    const name = (m[1] as string).toUpperCase();
    if (!['FN', 'N', 'TEL', 'EMAIL', 'ORG', 'TITLE', 'NOTE', 'PHOTO'].includes(name)) continue;
    let value = m[3] as string;
    if (/QUOTED-PRINTABLE/i.test(m[2] as string)) value = decodeQp(value);
    else value = value.replace(/\\n/gi, '\n').replace(/\\([,;\\])/g, '$1');
    // Photo bytes, not their base64 text (a server may re-encode: line breaks, padding).
    if (name === 'PHOTO') value = createHash('sha256').update(Buffer.from(value.replace(/\s+/g, ''), 'base64')).digest('hex');
    out.push(`${name}:${value.replace(/\r?\n/g, '\n').trim()}`);
  }
  return out.sort().join('\n');
}
