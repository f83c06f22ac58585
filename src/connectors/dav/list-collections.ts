/**
 * Lists the calendars (RFC 4791 §4.2) or address books (RFC 6352 §5.2) in the home sets with what the
 * migration carries over: display name, description, colour, component set, and what delta passes
 * need: sync-token and support for the sync-collection REPORT (RFC 6578 §3), CS:getctag.
 */
import type { DavHttp } from './dav-http.ts';
import { encodePath, parseMultistatus, propKey, propText } from './multistatus.ts';
import type { DavCollectionData, DavKind } from './types.ts';
import { children, NS } from './xml.ts';

const BODY = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="${NS.CALDAV}" xmlns:a="${NS.CARDDAV}" xmlns:i="${NS.APPLE}" xmlns:cs="${NS.CS}">
  <d:prop>
    <d:resourcetype/><d:displayname/><d:sync-token/><d:supported-report-set/>
    <c:calendar-description/><c:supported-calendar-component-set/><i:calendar-color/>
    <a:addressbook-description/><a:supported-address-data/><cs:getctag/>
  </d:prop>
</d:propfind>`;

/** Calendars or address books directly inside the home sets (deduplicated, sorted by path). */
export async function listCollections(http: DavHttp, kind: DavKind, homeSets: readonly string[]): Promise<DavCollectionData[]> {
  const found = new Map<string, DavCollectionData>();
  const typeName = kind === 'caldav' ? { ns: NS.CALDAV, name: 'calendar' } : { ns: NS.CARDDAV, name: 'addressbook' };
  for (const home of homeSets) {
    const res = await http.send({ method: 'PROPFIND', url: home, headers: { 'Content-Type': 'application/xml; charset=utf-8', Depth: '1' }, body: BODY });
    if (res.status !== 207) continue;
    for (const r of parseMultistatus(res.body, 'PROPFIND', home).responses) {
      const type = r.props.get(propKey(NS.DAV, 'resourcetype'));
      if (!type?.children.some((c) => c.ns === typeName.ns && c.name === typeName.name)) continue;
      const path = r.href.endsWith('/') ? r.href : `${r.href}/`;
      const reports = r.props.get(propKey(NS.DAV, 'supported-report-set'));
      const supportsSync = (reports?.children ?? []).some((sr) => sr.children.some((rep) => rep.children.some((x) => x.ns === NS.DAV && x.name === 'sync-collection')));
      const components = children(r.props.get(propKey(NS.CALDAV, 'supported-calendar-component-set')), NS.CALDAV, 'comp')
        .map((c) => c.attrs.get('name') ?? '').filter((n) => n !== '');
      const versions = children(r.props.get(propKey(NS.CARDDAV, 'supported-address-data')), NS.CARDDAV, 'address-data-type')
        .map((c) => c.attrs.get('version') ?? '').filter((v) => v !== '');
      found.set(path, {
        url: new URL(encodePath(path), home).toString(),
        path, kind,
        displayName: propText(r.props, NS.DAV, 'displayname'),
        description: kind === 'caldav' ? propText(r.props, NS.CALDAV, 'calendar-description') : propText(r.props, NS.CARDDAV, 'addressbook-description'),
        color: kind === 'caldav' ? propText(r.props, NS.APPLE, 'calendar-color') : null,
        components,
        syncToken: propText(r.props, NS.DAV, 'sync-token'),
        ctag: propText(r.props, NS.CS, 'getctag'),
        supportsSyncCollection: supportsSync || propText(r.props, NS.DAV, 'sync-token') !== null,
        addressDataVersions: versions,
      });
    }
  }
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}
