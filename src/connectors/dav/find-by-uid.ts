/**
 * Finds the resources of a collection that hold a given UID: calendar-query with a prop-filter on UID
 * (RFC 4791 §7.8, §9.7.5 — CalDAV text-match is a substring match, so results are checked exactly)
 * or addressbook-query with match-type "equals" (RFC 6352 §8.6, §10.5.4). Used before writing an item
 * again whose earlier write is in doubt, and when the target reports a UID conflict.
 */
import type { DavHttp } from './dav-http.ts';
import { fetchResources } from './fetch-resources.ts';
import { listResources } from './list-resources.ts';
import { parseMultistatus, propKey, propText } from './multistatus.ts';
import type { DavKind, DavResourceBody } from './types.ts';
import { escapeXml, NS } from './xml.ts';

function uidsOf(data: string): string[] {
  const unfolded = data.replace(/\r?\n[ \t]/g, '');
  return [...unfolded.matchAll(/^UID(?:;[^:]*)?:(.*?)\r?$/gim)].map((m) => (m[1] ?? '').trim());
}

function queryBody(kind: DavKind, uid: string): string {
  const value = escapeXml(uid);
  if (kind === 'caldav') {
    return `<?xml version="1.0" encoding="utf-8"?><c:calendar-query xmlns:d="DAV:" xmlns:c="${NS.CALDAV}"><d:prop><d:getetag/><c:calendar-data/></d:prop>` +
      '<c:filter><c:comp-filter name="VCALENDAR">' +
      ['VEVENT', 'VTODO', 'VJOURNAL'].map((comp) => `<c:comp-filter name="${comp}"><c:prop-filter name="UID"><c:text-match collation="i;octet">${value}</c:text-match></c:prop-filter></c:comp-filter>`).join('') +
      '</c:comp-filter></c:filter></c:calendar-query>';
  }
  return `<?xml version="1.0" encoding="utf-8"?><a:addressbook-query xmlns:d="DAV:" xmlns:a="${NS.CARDDAV}"><d:prop><d:getetag/><a:address-data/></d:prop>` +
    `<a:filter><a:prop-filter name="UID"><a:text-match collation="i;octet" match-type="equals">${value}</a:text-match></a:prop-filter></a:filter></a:addressbook-query>`;
}

/** Resources of the collection whose UID equals `uid` exactly. Falls back to reading the whole collection when the query is refused. */
export async function findByUid(http: DavHttp, kind: DavKind, collectionUrl: string, uid: string): Promise<DavResourceBody[]> {
  const res = await http.send({ method: 'REPORT', url: collectionUrl, headers: { 'Content-Type': 'application/xml; charset=utf-8', Depth: '1' }, body: queryBody(kind, uid) });
  let found: DavResourceBody[];
  if (res.status === 207) {
    const dataProp = kind === 'caldav' ? propKey(NS.CALDAV, 'calendar-data') : propKey(NS.CARDDAV, 'address-data');
    found = parseMultistatus(res.body, 'REPORT', collectionUrl).responses.flatMap((r) => {
      const data = r.props.get(dataProp)?.text;
      return data ? [{ href: r.href, etag: propText(r.props, NS.DAV, 'getetag'), data }] : [];
    });
  } else {
    // Some servers implement multiget but not the query filters: read everything (rare, recovery only).
    const all = await listResources(http, collectionUrl);
    found = await fetchResources(http, collectionUrl, all.map((r) => r.href));
  }
  return found.filter((r) => uidsOf(r.data).includes(uid));
}
