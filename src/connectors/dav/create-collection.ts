/**
 * Creates a calendar with MKCALENDAR (RFC 4791 §5.3.1) or an address book with extended MKCOL
 * (RFC 5689 §3, RFC 6352 §6.3.1), setting name, description, colour and the component set in the
 * same request so the collection never exists without them.
 */
import { AppError } from '../../core/app-error.ts';
import type { DavHttp } from './dav-http.ts';
import type { CreateCollectionOptions, DavKind } from './types.ts';
import { escapeXml, NS } from './xml.ts';

function props(kind: DavKind, o: CreateCollectionOptions): string {
  const out: string[] = [];
  if (kind === 'carddav') out.push('<d:resourcetype><d:collection/><a:addressbook/></d:resourcetype>');
  if (o.displayName) out.push(`<d:displayname>${escapeXml(o.displayName)}</d:displayname>`);
  if (o.description) out.push(kind === 'caldav' ? `<c:calendar-description>${escapeXml(o.description)}</c:calendar-description>` : `<a:addressbook-description>${escapeXml(o.description)}</a:addressbook-description>`);
  if (kind === 'caldav' && o.color) out.push(`<i:calendar-color>${escapeXml(o.color)}</i:calendar-color>`);
  if (kind === 'caldav' && o.components.length > 0) {
    out.push(`<c:supported-calendar-component-set>${o.components.map((c) => `<c:comp name="${escapeXml(c)}"/>`).join('')}</c:supported-calendar-component-set>`);
  }
  return out.join('');
}

/** Creates the collection at `url` (absolute, ending in '/'). */
export async function createCollection(http: DavHttp, kind: DavKind, url: string, options: CreateCollectionOptions): Promise<void> {
  const ns = `xmlns:d="DAV:" xmlns:c="${NS.CALDAV}" xmlns:a="${NS.CARDDAV}" xmlns:i="${NS.APPLE}"`;
  const body = kind === 'caldav'
    ? `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar ${ns}><d:set><d:prop>${props(kind, options)}</d:prop></d:set></c:mkcalendar>`
    : `<?xml version="1.0" encoding="utf-8"?><d:mkcol ${ns}><d:set><d:prop>${props(kind, options)}</d:prop></d:set></d:mkcol>`;
  const method = kind === 'caldav' ? 'MKCALENDAR' : 'MKCOL';
  const res = await http.send({ method, url, headers: { 'Content-Type': 'application/xml; charset=utf-8' }, body });
  if (res.status === 201 || res.status === 200) return;
  throw new AppError('DAV_COLLECTION_CREATE_FAILED', `${method} ${url} answered HTTP ${res.status}: ${res.body.replace(/\s+/g, ' ').slice(0, 300)}`, {
    details: { method, url, status: res.status },
  });
}
