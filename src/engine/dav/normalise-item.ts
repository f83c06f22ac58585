/**
 * The normalised form of an iCalendar object or vCard: what "the same meaning" is compared on, and
 * what the fingerprint hashes. Servers re-serialise what they store (Radicale writes it back through
 * its own serializer), so bytes differ where meaning does not: line folding and endings, the order of
 * properties and parameters, the case of names, quoting of parameter values, PRODID. Everything else —
 * values, time zones, RECURRENCE-ID exceptions, attendees, alarms, photos — is compared as it is.
 */
import { createHash } from 'node:crypto';
import { componentTree, contentLines, type ContentComponent, type ContentLine } from './content-lines.ts';

/** Properties that say who wrote the file, not what it means (RFC 5545 §3.7.3, RFC 6350 §6.7.3). */
const VOLATILE = new Set(['PRODID']);

function canonicalParam(p: { name: string | null; value: string }): string {
  const value = p.value.replace(/^"(.*)"$/s, '$1');
  if (p.name === null) return `TYPE=${value.toUpperCase()}`;
  // Parameter values that are enumerations compare case-insensitively (RFC 5545 §3.2, RFC 6350 §5).
  const enumerated = ['TYPE', 'ENCODING', 'VALUE', 'CHARSET', 'CUTYPE', 'ROLE', 'PARTSTAT', 'RSVP', 'RELATED', 'FBTYPE', 'RANGE', 'RELTYPE'];
  const values = value.split(',').map((v) => (enumerated.includes(p.name as string) ? v.toUpperCase() : v));
  return `${p.name}=${values.sort().join(',')}`;
}

function canonicalLine(line: ContentLine): string {
  const params = line.params.map(canonicalParam).sort();
  // Trailing whitespace of a value is lost by some serialisers; base64 and QP bodies may be re-wrapped.
  let value = line.value.replace(/[ \t]+$/, '');
  if (params.some((p) => p === 'ENCODING=B' || p === 'ENCODING=BASE64')) value = value.replace(/\s+/g, '');
  return `${line.group ? `${line.group.toLowerCase()}.` : ''}${line.name}${params.map((p) => `;${p}`).join('')}:${value}`;
}

function canonicalComponent(component: ContentComponent): string {
  const props = component.properties.filter((p) => !VOLATILE.has(p.name)).map(canonicalLine).sort();
  const subs = component.components.map(canonicalComponent).sort();
  return [`BEGIN:${component.name}`, ...props, ...subs, `END:${component.name}`].join('\n');
}

/** The normalised text of an item (stable under re-serialisation). */
export function normaliseItem(text: string): string {
  const { lines } = contentLines(text);
  const { roots } = componentTree(lines);
  return roots.map(canonicalComponent).sort().join('\n');
}

/** SHA-256 of the normalised item: the fingerprint in the DAV ledger. */
export function itemFingerprint(text: string): string {
  return createHash('sha256').update(normaliseItem(text)).digest('hex');
}
