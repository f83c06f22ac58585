/**
 * Opens a DAV session: one HTTP client (keep-alive, credentials, request cap) with the connector's
 * operations bound to it. Opening checks the credentials with one PROPFIND, so a wrong password fails
 * here (DAV_AUTH_FAILED) and not halfway through a pass.
 */
import { createCollection } from './create-collection.ts';
import { DavHttp } from './dav-http.ts';
import { discover } from './discover.ts';
import { fetchChanges } from './fetch-changes.ts';
import { fetchResources } from './fetch-resources.ts';
import { findByUid } from './find-by-uid.ts';
import { getResource } from './get-resource.ts';
import { listCollections } from './list-collections.ts';
import { listResources } from './list-resources.ts';
import { putResource } from './put-resource.ts';
import type { DavEndpoint, DavKind, DavSession } from './types.ts';

/** A session for `kind` on `endpoint`. */
export function openDavSession(endpoint: DavEndpoint, kind: DavKind): DavSession {
  const http = new DavHttp(endpoint);
  const base = endpoint.url;
  return {
    kind,
    endpoint,
    discover: () => discover(http, endpoint, kind),
    listCollections: (homeSets) => listCollections(http, kind, homeSets),
    listResources: (url) => listResources(http, url),
    fetchChanges: (url, token) => fetchChanges(http, url, token),
    fetchResources: (url, hrefs) => fetchResources(http, url, hrefs),
    getResource: (href) => getResource(http, base, href),
    findByUid: (url, uid) => findByUid(http, kind, url, uid),
    put: (href, data, condition) => putResource(http, kind, base, href, data, condition),
    createCollection: (url, options) => createCollection(http, kind, url, options),
    close: () => {
      http.close();
      return Promise.resolve();
    },
  };
}
