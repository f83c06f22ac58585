/**
 * Types of the CalDAV (RFC 4791) and CardDAV (RFC 6352) connector. Inputs are `XxxOptions`, outputs
 * `XxxData`, as in the IMAP connector. Secrets live only in `DavAuth`; describe an endpoint with
 * `describeDavEndpoint`, never by serialising it.
 */

/** Which protocol a session speaks: calendars (CalDAV) or address books (CardDAV). */
export type DavKind = 'caldav' | 'carddav';

/** How a DAV session authenticates (HTTP Basic, RFC 7617, over TLS unless the URL is http:). */
export type DavAuth =
  /** The account's own user name and password. */
  | { readonly kind: 'password'; readonly user: string; readonly password: string }
  /**
   * An admin account that may read or write other users' collections (Radicale `rights` with an
   * admin section, Nextcloud/SOGo super users): log in as `adminUser`, work in `user`'s home.
   */
  | { readonly kind: 'admin'; readonly user: string; readonly adminUser: string; readonly password: string }
  /** No credentials (a single-user server such as Xandikos behind its own front end). */
  | { readonly kind: 'none'; readonly user: string };

/** How to reach one account's calendars or address books. */
export interface DavEndpoint {
  /** Server URL: its root, a context path, or the home set itself (discovery starts here). */
  readonly url: string;
  readonly auth: DavAuth;
  /** Verify the server certificate (default true). */
  readonly tlsVerify: boolean;
  /** Extra trusted CA certificate(s), PEM. */
  readonly tlsCa?: string;
  /** Most requests in flight at once. */
  readonly maxConnections: number;
  /** Seconds before a request counts as failed (default 60). */
  readonly timeoutSeconds?: number;
  /** Ignore sync-collection even where offered (tests the ETag fallback; servers with broken tokens). */
  readonly disableSyncCollection?: boolean;
}

/** What discovery found (RFC 6764 §6, RFC 5397, RFC 4791 §6.2.1, RFC 6352 §7.1.1). */
export interface DiscoveryData {
  /** The principal URL of the account worked on (the user's, also with an admin login). */
  readonly principalUrl: string;
  /** Home set URLs (absolute) holding the account's calendars or address books. */
  readonly homeSets: readonly string[];
}

/** One calendar or address book collection. */
export interface DavCollectionData {
  /** Absolute URL, ending in '/'. */
  readonly url: string;
  /** Path part of `url` (the stable key used in the ledger). */
  readonly path: string;
  readonly kind: DavKind;
  readonly displayName: string | null;
  readonly description: string | null;
  /** calendar-color (#RRGGBB or #RRGGBBAA), calendars only. */
  readonly color: string | null;
  /** Components the calendar accepts (RFC 4791 §5.2.3); empty for address books or when not stated. */
  readonly components: readonly string[];
  /** DAV:sync-token (RFC 6578 §4), when the server reports one. */
  readonly syncToken: string | null;
  /** CS:getctag, when the server reports one. */
  readonly ctag: string | null;
  /** The collection supports the sync-collection REPORT (RFC 6578 §3.2). */
  readonly supportsSyncCollection: boolean;
  /** vCard versions the address book accepts (RFC 6352 §6.2.2); empty when not stated. */
  readonly addressDataVersions: readonly string[];
}

/** One resource: href (absolute path) and ETag, with its body when it was read. */
export interface DavResourceData {
  /** Absolute path of the resource (decoded from the href the server gave). */
  readonly href: string;
  readonly etag: string | null;
}

/** A resource with its body (iCalendar or vCard text). */
export interface DavResourceBody extends DavResourceData {
  readonly data: string;
}

/** What changed in a collection since a sync-token (RFC 6578 §3.5). */
export interface DavChangesData {
  readonly changed: readonly DavResourceData[];
  readonly removed: readonly string[];
  readonly syncToken: string;
}

/** Options for creating a collection on the target. */
export interface CreateCollectionOptions {
  readonly displayName: string | null;
  readonly description: string | null;
  readonly color: string | null;
  readonly components: readonly string[];
}

/** Outcome of a PUT. */
export type PutResult =
  | { readonly ok: true; readonly etag: string | null }
  /** The precondition failed: If-None-Match found a resource there, or If-Match found another ETag. */
  | { readonly ok: false; readonly reason: 'exists' }
  /** The server refused the UID: another resource of the collection has it (RFC 4791 §5.3.2.1, RFC 6352 §6.3.2.1). */
  | { readonly ok: false; readonly reason: 'uid-conflict'; readonly existingHref: string | null };

/** An open connection to one account on one DAV server. */
export interface DavSession {
  readonly kind: DavKind;
  readonly endpoint: DavEndpoint;
  discover(): Promise<DiscoveryData>;
  listCollections(homeSets: readonly string[]): Promise<DavCollectionData[]>;
  /** PROPFIND depth 1: every resource with its ETag. */
  listResources(collectionUrl: string): Promise<DavResourceData[]>;
  /** sync-collection REPORT; null token for the initial sync. Throws DAV_SYNC_TOKEN_INVALID when the server forgot the token. */
  fetchChanges(collectionUrl: string, syncToken: string | null): Promise<DavChangesData>;
  /** Reads resources with GET (see fetch-resources.ts for why not multiget); absent ones are left out. */
  fetchResources(collectionUrl: string, hrefs: readonly string[]): Promise<DavResourceBody[]>;
  getResource(href: string): Promise<DavResourceBody | null>;
  /** Resources of the collection whose UID property equals `uid` (calendar-query / addressbook-query). */
  findByUid(collectionUrl: string, uid: string): Promise<DavResourceBody[]>;
  put(href: string, data: string, condition: { readonly ifNoneMatch: true } | { readonly ifMatch: string | null }): Promise<PutResult>;
  createCollection(url: string, options: CreateCollectionOptions): Promise<void>;
  close(): Promise<void>;
}

/** A log-safe one-line description: `user@url (auth kind)`. Never contains a secret. */
export function describeDavEndpoint(endpoint: DavEndpoint): string {
  const admin = endpoint.auth.kind === 'admin' ? ` as admin ${endpoint.auth.adminUser}` : '';
  return `${endpoint.auth.user}@${endpoint.url} (${endpoint.auth.kind}${admin})`;
}
