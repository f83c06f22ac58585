/**
 * Discovery of an account's calendar or address-book homes: the context path from the well-known URL
 * (RFC 6764 §5), the principal from DAV:current-user-principal (RFC 5397 §3), then the home set from
 * CALDAV:calendar-home-set (RFC 4791 §6.2.1) or CARDDAV:addressbook-home-set (RFC 6352 §7.1.1).
 *
 * With an admin login the server reports the admin's principal; the user's principal is taken as its
 * sibling (last path segment replaced by the user name), which is how Radicale (`/admin/` → `/alice/`),
 * Nextcloud (`…/principals/users/admin/`) and SOGo lay principals out.
 */
import { AppError } from '../../core/app-error.ts';
import type { DavHttp } from './dav-http.ts';
import { encodePath, parseMultistatus, propHrefs } from './multistatus.ts';
import type { DavEndpoint, DavKind, DiscoveryData } from './types.ts';
import { NS } from './xml.ts';

const XML_HEADERS = { 'Content-Type': 'application/xml; charset=utf-8' };

async function propfindHrefs(http: DavHttp, url: string, ns: string, name: string, follow: boolean): Promise<{ hrefs: string[]; url: string } | null> {
  const body = `<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:x="${ns}"><d:prop><x:${name}/></d:prop></d:propfind>`;
  const res = await http.send({ method: 'PROPFIND', url, headers: { ...XML_HEADERS, Depth: '0' }, body, followRedirects: follow });
  if (res.status !== 207) return null;
  const ms = parseMultistatus(res.body, 'PROPFIND', res.url);
  const hrefs = ms.responses.flatMap((r) => propHrefs(r.props, ns, name));
  return { hrefs: hrefs.map((h) => new URL(h, res.url).toString()), url: res.url };
}

/** Finds the principal and home sets of the endpoint's account. */
export async function discover(http: DavHttp, endpoint: DavEndpoint, kind: DavKind): Promise<DiscoveryData> {
  const start = new URL(endpoint.url);
  const homeProp = kind === 'caldav' ? { ns: NS.CALDAV, name: 'calendar-home-set' } : { ns: NS.CARDDAV, name: 'addressbook-home-set' };
  const tried: string[] = [];
  // 1. Principal: at the given URL, else via the well-known URL.
  let principal: string | null = null;
  const candidates = [start.toString()];
  candidates.push(new URL(`/.well-known/${kind}`, start).toString());
  for (const url of candidates) {
    tried.push(url);
    const found = await propfindHrefs(http, url, NS.DAV, 'current-user-principal', true).catch((err: unknown) => {
      if (err instanceof AppError && (err.code === 'DAV_REQUEST_FAILED' || err.code === 'DAV_PROTOCOL_ERROR')) return null;
      throw err;
    });
    if (found && found.hrefs[0]) {
      principal = found.hrefs[0];
      break;
    }
  }
  if (!principal) {
    // A URL that is itself a home set (servers without current-user-principal).
    return { principalUrl: start.toString(), homeSets: [start.toString().endsWith('/') ? start.toString() : `${start.toString()}/`] };
  }
  if (endpoint.auth.kind === 'admin') {
    const url = new URL(principal);
    const segments = url.pathname.replace(/\/+$/, '').split('/');
    segments[segments.length - 1] = encodePath(endpoint.auth.user);
    url.pathname = `${segments.join('/')}/`;
    principal = url.toString();
  }
  // 2. Home set of the principal.
  const homes = await propfindHrefs(http, principal, homeProp.ns, homeProp.name, false);
  if (!homes || homes.hrefs.length === 0) {
    throw new AppError('DAV_DISCOVERY_FAILED', `no ${homeProp.name} for principal ${principal} (tried ${tried.join(', ')})`, {
      details: { principal, property: homeProp.name },
    });
  }
  return { principalUrl: principal, homeSets: homes.hrefs };
}
