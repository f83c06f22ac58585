/**
 * A UID for items that have none. CalDAV requires one per calendar object resource (RFC 4791 §4.1)
 * and CardDAV per vCard (RFC 6352 §5.1), and servers enforce it (Radicale refuses such a PUT), while
 * real exports often lack it (vCard 2.1 from phones, hand-written .ics). The UID is derived from the
 * source identity (collection + href), so every pass gives the same one and an in-doubt item can
 * still be found on the target by UID. Items that have a UID are never touched.
 */
import { createHash } from 'node:crypto';

const MAIN = new Set(['VEVENT', 'VTODO', 'VJOURNAL', 'VFREEBUSY', 'VAVAILABILITY']);

/** The UID given to an item of `sourceCollection` at `sourceHref` that has none. */
export function generatedUid(sourceCollection: string, sourceHref: string): string {
  return `cutover-${createHash('sha256').update(`${sourceCollection}\u0000${sourceHref}`).digest('hex').slice(0, 32)}`;
}

/**
 * The item with `UID:uid` added to the vCard or to each main iCalendar component without one. Only a
 * line is inserted; every other byte stays (a vCard 2.1 base64 block ends with a blank line that
 * some parsers need).
 */
export function addUid(kind: 'caldav' | 'carddav', text: string, uid: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const names = kind === 'carddav' ? 'VCARD' : [...MAIN].join('|');
  const block = new RegExp(`^BEGIN:(${names})\\r?$[\\s\\S]*?^END:\\1\\r?$`, 'gim');
  return text.replace(block, (whole) => {
    if (/^UID[;:]/im.test(whole.replace(/\r?\n[ \t]/g, ''))) return whole;
    const end = whole.toUpperCase().lastIndexOf('END:');
    return `${whole.slice(0, end)}UID:${uid}${eol}${whole.slice(end)}`;
  });
}
