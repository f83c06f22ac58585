/**
 * The sync-collection REPORT (RFC 6578 §3.2): members changed or removed since a sync-token, and the
 * new token. An empty token asks for the initial state (all members). A token the server no longer
 * accepts (the DAV:valid-sync-token precondition, §3.2, answered 403 or 409) becomes
 * DAV_SYNC_TOKEN_INVALID so the engine falls back to a full listing.
 */
import { AppError } from '../../core/app-error.ts';
import type { DavHttp } from './dav-http.ts';
import { davProtocolError, mapDavStatus } from './map-dav-error.ts';
import { parseMultistatus, propText } from './multistatus.ts';
import type { DavChangesData, DavResourceData } from './types.ts';
import { escapeXml, NS } from './xml.ts';

/** Changes of the collection since `syncToken` (null: everything). */
export async function fetchChanges(http: DavHttp, collectionUrl: string, syncToken: string | null): Promise<DavChangesData> {
  const body = `<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>${escapeXml(syncToken ?? '')}</d:sync-token>` +
    '<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>';
  let res;
  try {
    res = await http.send({ method: 'REPORT', url: collectionUrl, headers: { 'Content-Type': 'application/xml; charset=utf-8', Depth: '0' }, body });
  } catch (err) {
    // Radicale answers an unknown token with 403 + valid-sync-token, which the HTTP layer maps to DAV_FORBIDDEN.
    if (err instanceof AppError && err.code === 'DAV_FORBIDDEN' && syncToken !== null && String(err.details['server'] ?? '').includes('valid-sync-token')) {
      throw new AppError('DAV_SYNC_TOKEN_INVALID', `the server no longer accepts the sync-token of ${collectionUrl}`, { details: { url: collectionUrl } });
    }
    throw err;
  }
  if (res.status !== 207) {
    if (syncToken !== null && (res.status === 409 || res.status === 412 || res.status === 400 || res.body.includes('valid-sync-token'))) {
      throw new AppError('DAV_SYNC_TOKEN_INVALID', `the server no longer accepts the sync-token of ${collectionUrl}`, { details: { url: collectionUrl, status: res.status } });
    }
    throw mapDavStatus({ method: 'REPORT', url: collectionUrl, status: res.status, body: res.body });
  }
  const ms = parseMultistatus(res.body, 'REPORT', collectionUrl);
  if (ms.syncToken === null) throw davProtocolError('REPORT', collectionUrl, 'sync-collection answer without a sync-token');
  const changed: DavResourceData[] = [];
  const removed: string[] = [];
  const self = decodeURIComponent(new URL(collectionUrl).pathname);
  for (const r of ms.responses) {
    if (r.href === self || r.href.endsWith('/')) continue;
    if (r.status === 404) removed.push(r.href);
    else changed.push({ href: r.href, etag: propText(r.props, NS.DAV, 'getetag') });
  }
  return { changed, removed, syncToken: ms.syncToken };
}
