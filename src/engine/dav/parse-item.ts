/**
 * Reads one source resource into what the engine needs: its UID, main component, a summary for
 * reports, the fingerprint, and — for an invalid item — the parser's reason (the item is then recorded
 * `failed: DAV_ITEM_INVALID` and the pass goes on). iCalendar and vCard 3.0/4.0 are checked with
 * ical.js (RFC 5545, RFC 6350, RFC 2426); vCard 2.1, which ical.js does not read, structurally.
 */
import ICAL from 'ical.js';
import type { DavKind } from '../../connectors/dav/types.ts';
import { componentTree, contentLines, type ContentComponent } from './content-lines.ts';
import { itemFingerprint } from './normalise-item.ts';

/** What the engine knows about one item. */
export interface ParsedItem {
  readonly uid: string | null;
  /** VEVENT, VTODO, VJOURNAL, VFREEBUSY, VCARD … */
  readonly component: string | null;
  readonly summary: string | null;
  readonly fingerprint: string;
  readonly size: number;
  /** vCard VERSION (2.1, 3.0, 4.0), null for iCalendar. */
  readonly version: string | null;
  /** Why the item is invalid, or null. */
  readonly invalid: string | null;
}

const MAIN = ['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY'];

function firstValue(component: ContentComponent | undefined, name: string): string | null {
  const value = component?.properties.find((p) => p.name === name)?.value.trim();
  return value ? value : null;
}

function check(kind: DavKind, text: string, roots: ContentComponent[], version: string | null): string | null {
  const expected = kind === 'caldav' ? 'VCALENDAR' : 'VCARD';
  if (roots.length === 0) return `no BEGIN:${expected} object`;
  if (roots.length > 1) return `${roots.length} top-level objects in one resource (one ${expected} expected)`;
  const root = roots[0] as ContentComponent;
  if (root.name !== expected) return `the object is ${root.name}, not ${expected}`;
  if (kind === 'carddav' && version === '2.1') return null;
  try {
    const parsed: unknown = ICAL.parse(text);
    if (Array.isArray(parsed) && Array.isArray(parsed[0])) return 'more than one object in one resource';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (kind === 'caldav') {
    const mains = root.components.filter((c) => MAIN.includes(c.name));
    if (mains.length === 0) return 'no VEVENT, VTODO, VJOURNAL or VFREEBUSY in the calendar object';
    const uids = new Set(mains.map((c) => firstValue(c, 'UID')));
    if (uids.size > 1) return `components with ${uids.size} different UIDs in one resource (RFC 4791 §4.1 allows one)`;
  }
  return null;
}

/** Parses one item of a CalDAV (`caldav`) or CardDAV (`carddav`) collection. */
export function parseItem(kind: DavKind, text: string): ParsedItem {
  const size = Buffer.byteLength(text, 'utf8');
  const { lines, errors: lineErrors } = contentLines(text);
  const { roots, errors: treeErrors } = componentTree(lines);
  const root = roots[0];
  const version = kind === 'carddav' ? firstValue(root, 'VERSION') : null;
  const main = kind === 'caldav' ? root?.components.find((c) => MAIN.includes(c.name) && !c.properties.some((p) => p.name === 'RECURRENCE-ID')) ?? root?.components.find((c) => MAIN.includes(c.name)) : root;
  const structural = [...lineErrors, ...treeErrors][0] ?? null;
  const invalid = structural ?? check(kind, text, roots, version);
  const summary = kind === 'caldav' ? firstValue(main, 'SUMMARY') : firstValue(main, 'FN');
  return {
    uid: firstValue(main, 'UID'),
    component: main?.name ?? null,
    summary: summary === null ? null : summary.slice(0, 300),
    fingerprint: itemFingerprint(text),
    size,
    version,
    invalid,
  };
}
