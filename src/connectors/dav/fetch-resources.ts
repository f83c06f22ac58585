/**
 * Reads resources with GET (RFC 4918 §9.4), several at once within the session's request cap.
 *
 * Why not calendar-multiget (RFC 4791 §7.9) / addressbook-multiget (RFC 6352 §8.7): a server may
 * serialise a REPORT's calendar-data differently from the stored resource, and not always
 * faithfully — Radicale 3.1 re-serialises REPORT answers and loses escaped commas in CATEGORIES
 * (`Meeting\, John` became two categories), while GET returns what was stored. A migration copies
 * what the user has, so it reads what GET returns; keep-alive makes the extra round trips cheap.
 */
import type { DavHttp } from './dav-http.ts';
import { getResource } from './get-resource.ts';
import type { DavResourceBody } from './types.ts';

/** Bodies of `hrefs` (decoded absolute paths) in the given order; resources that no longer exist are left out. */
export async function fetchResources(http: DavHttp, collectionUrl: string, hrefs: readonly string[]): Promise<DavResourceBody[]> {
  const got = await Promise.all(hrefs.map((href) => getResource(http, collectionUrl, href)));
  return got.filter((r): r is DavResourceBody => r !== null);
}
