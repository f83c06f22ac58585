/**
 * Writes one resource with PUT (RFC 4918 §9.7). New items go with `If-None-Match: *` (RFC 9110
 * §13.1.2, RFC 4791 §5.3.2) so an existing resource is never overwritten; updates with `If-Match`
 * and the ETag the ledger recorded, so a change made on the target since is detected, not lost.
 * A refused UID (CALDAV:no-uid-conflict, RFC 4791 §5.3.2.1; CARDDAV:no-uid-conflict, RFC 6352
 * §6.3.2.1) is reported with the conflicting href when the server names it.
 */
import type { DavHttp } from './dav-http.ts';
import { etagOf } from './dav-http.ts';
import { mapPutRefusal } from './map-dav-error.ts';
import { encodePath, hrefPath } from './multistatus.ts';
import type { DavKind, PutResult } from './types.ts';

/** PUT of `data` at `href` (a decoded absolute path) on the server of `baseUrl`. */
export async function putResource(
  http: DavHttp, kind: DavKind, baseUrl: string, href: string, data: string,
  condition: { readonly ifNoneMatch: true } | { readonly ifMatch: string | null },
): Promise<PutResult> {
  const url = new URL(encodePath(href), baseUrl).toString();
  const headers: Record<string, string> = { 'Content-Type': kind === 'caldav' ? 'text/calendar; charset=utf-8' : 'text/vcard; charset=utf-8' };
  if ('ifNoneMatch' in condition) headers['If-None-Match'] = '*';
  else if (condition.ifMatch) headers['If-Match'] = condition.ifMatch;
  const res = await http.send({ method: 'PUT', url, headers, body: data });
  const uidConflict = /no-uid-conflict/.test(res.body);
  if (res.status >= 200 && res.status < 300 && !(res.status === 207 && (uidConflict || /412|409|403/.test(res.body)))) {
    return { ok: true, etag: etagOf(res.headers) };
  }
  if (uidConflict) {
    // <no-uid-conflict><href>…</href></no-uid-conflict> names the resource that holds the UID (optional).
    const m = /no-uid-conflict[^>]*>\s*<(?:[\w-]+:)?href>([^<]+)</.exec(res.body);
    return { ok: false, reason: 'uid-conflict', existingHref: m?.[1] ? hrefPath(m[1], url) : null };
  }
  if (res.status === 412) return { ok: false, reason: 'exists' };
  throw mapPutRefusal({ method: 'PUT', url, status: res.status, body: res.body });
}
