/** Reads one resource with GET (RFC 4918 §9.4): its body and ETag, or null when it does not exist. */
import type { DavHttp } from './dav-http.ts';
import { etagOf } from './dav-http.ts';
import { mapDavStatus } from './map-dav-error.ts';
import { encodePath } from './multistatus.ts';
import type { DavResourceBody } from './types.ts';

/** GET of `href` (a decoded absolute path) on the server of `baseUrl`. */
export async function getResource(http: DavHttp, baseUrl: string, href: string): Promise<DavResourceBody | null> {
  const url = new URL(encodePath(href), baseUrl).toString();
  const res = await http.send({ method: 'GET', url });
  if (res.status === 404 || res.status === 410) return null;
  if (res.status !== 200) throw mapDavStatus({ method: 'GET', url, status: res.status, body: res.body });
  return { href, etag: etagOf(res.headers), data: res.body };
}
