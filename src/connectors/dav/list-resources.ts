/**
 * Lists a collection's member resources with their ETags (PROPFIND Depth 1, RFC 4918 §9.1): the
 * fallback delta for servers without sync-collection, compared with the ETags in the ledger.
 */
import type { DavHttp } from './dav-http.ts';
import { mapDavStatus } from './map-dav-error.ts';
import { parseMultistatus, propKey, propText } from './multistatus.ts';
import type { DavResourceData } from './types.ts';
import { NS } from './xml.ts';

const BODY = '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>';

/** Every non-collection member of the collection, in href order. */
export async function listResources(http: DavHttp, collectionUrl: string): Promise<DavResourceData[]> {
  const res = await http.send({ method: 'PROPFIND', url: collectionUrl, headers: { 'Content-Type': 'application/xml; charset=utf-8', Depth: '1' }, body: BODY });
  if (res.status !== 207) throw mapDavStatus({ method: 'PROPFIND', url: collectionUrl, status: res.status, body: res.body });
  const self = new URL(collectionUrl).pathname;
  const out: DavResourceData[] = [];
  for (const r of parseMultistatus(res.body, 'PROPFIND', collectionUrl).responses) {
    const type = r.props.get(propKey(NS.DAV, 'resourcetype'));
    if (r.href.endsWith('/') || decodeURIComponent(self) === r.href || type?.children.some((c) => c.name === 'collection')) continue;
    out.push({ href: r.href, etag: propText(r.props, NS.DAV, 'getetag') });
  }
  return out.sort((a, b) => a.href.localeCompare(b.href));
}
