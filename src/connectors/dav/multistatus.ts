/**
 * Reads a 207 Multi-Status body (RFC 4918 §13) into responses: href, status, the properties found
 * (with status 200) and the top-level sync-token of a sync-collection answer (RFC 6578 §6.4).
 */
import { child, children, NS, parseXml, type XmlElement } from './xml.ts';
import { davProtocolError } from './map-dav-error.ts';

/** One DAV:response. */
export interface MultistatusResponse {
  /** Absolute path, percent-decoded (the server may send a full URL or an encoded path). */
  readonly href: string;
  /** Status of the response itself (sync-collection reports removed members with 404), or null. */
  readonly status: number | null;
  /** Properties returned with a 2xx propstat, keyed `namespace|name`. */
  readonly props: ReadonlyMap<string, XmlElement>;
}

/** A parsed multistatus. */
export interface Multistatus {
  readonly responses: readonly MultistatusResponse[];
  readonly syncToken: string | null;
}

function statusCode(element: XmlElement | undefined): number | null {
  if (!element) return null;
  const m = /HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(element.text);
  return m ? Number(m[1]) : null;
}

/** Absolute, decoded path of an href relative to `base`. */
export function hrefPath(href: string, base: string): string {
  const url = new URL(href.trim(), base);
  // Xandikos percent-encodes ":" of a full URL it puts in an href ("http%3A//host/..."): undo that first.
  const raw = /^https?%3A\/\//i.test(href.trim()) ? new URL(decodeURIComponent(href.trim())).pathname : url.pathname;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Encodes a decoded path for a request URL (each segment, keeping '/'). */
export function encodePath(path: string): string {
  return path.split('/').map((segment) => encodeURIComponent(segment)).join('/');
}

/** The key of a property in `props`. */
export const propKey = (ns: string, name: string): string => `${ns}|${name}`;

/** Parses a multistatus body received for `requestUrl`. */
export function parseMultistatus(body: string, method: string, requestUrl: string): Multistatus {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (err) {
    throw davProtocolError(method, requestUrl, err instanceof Error ? err.message : String(err));
  }
  if (root.ns !== NS.DAV || root.name !== 'multistatus') throw davProtocolError(method, requestUrl, `root element is ${root.name}, not multistatus`);
  const responses: MultistatusResponse[] = [];
  for (const response of children(root, NS.DAV, 'response')) {
    const href = child(response, NS.DAV, 'href');
    if (!href) continue;
    const props = new Map<string, XmlElement>();
    for (const propstat of children(response, NS.DAV, 'propstat')) {
      const status = statusCode(child(propstat, NS.DAV, 'status'));
      if (status === null || status < 200 || status > 299) continue;
      for (const prop of child(propstat, NS.DAV, 'prop')?.children ?? []) props.set(propKey(prop.ns, prop.name), prop);
    }
    responses.push({ href: hrefPath(href.text, requestUrl), status: statusCode(child(response, NS.DAV, 'status')), props });
  }
  const token = child(root, NS.DAV, 'sync-token');
  return { responses, syncToken: token ? token.text.trim() : null };
}

/** Text of a property, trimmed; null when absent or empty. */
export function propText(props: ReadonlyMap<string, XmlElement>, ns: string, name: string): string | null {
  const value = props.get(propKey(ns, name))?.text.trim();
  return value ? value : null;
}

/** The DAV:href values inside a property (home sets, principals). */
export function propHrefs(props: ReadonlyMap<string, XmlElement>, ns: string, name: string): string[] {
  return children(props.get(propKey(ns, name)), NS.DAV, 'href').map((h) => h.text.trim()).filter((h) => h !== '');
}
