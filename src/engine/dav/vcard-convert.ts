/**
 * vCard 2.1 → 3.0 (RFC 2426), only when the target address book says it does not take 2.1 (its
 * supported-address-data, RFC 6352 §6.2.2, lists no 2.1 — CardDAV servers MUST take 3.0). What
 * changes: VERSION; bare parameters (`TEL;HOME;VOICE` → `TYPE=HOME,VOICE`); quoted-printable values
 * decoded (with their CHARSET) and escaped as 3.0 text; `ENCODING=BASE64` → `ENCODING=b` (photos keep
 * their bytes). Everything else is left as it is.
 */
import { contentLines, formatLine, type ContentLine, type ContentParam } from './content-lines.ts';

function decodeQuotedPrintable(value: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
    }
  }
  const buffer = Buffer.from(bytes);
  try {
    return new TextDecoder(charset || 'utf-8').decode(buffer);
  } catch {
    return buffer.toString('latin1');
  }
}

/** Text properties whose ',' is literal in 2.1 but a separator in 3.0 (RFC 2426 §4: escape it as `\,`). */
const TEXT = new Set(['FN', 'N', 'ADR', 'LABEL', 'ORG', 'TITLE', 'ROLE', 'NOTE']);
/** Text properties whose ';' is literal in 2.1 when not structured (N, ADR, ORG keep ';' as separator). */
const PLAIN_TEXT = new Set(['FN', 'LABEL', 'TITLE', 'ROLE', 'NOTE']);

function convertLine(line: ContentLine): string {
  if (line.name === 'VERSION') return formatLine({ ...line, value: '3.0' });
  const types: string[] = [];
  const params: ContentParam[] = [];
  let qp = false;
  let charset = 'utf-8';
  for (const p of line.params) {
    if (p.name === null) types.push(p.value);
    else if (p.name === 'TYPE') types.push(...p.value.split(','));
    else if (p.name === 'ENCODING' && p.value.toUpperCase() === 'QUOTED-PRINTABLE') qp = true;
    else if (p.name === 'ENCODING' && p.value.toUpperCase() === 'BASE64') params.push({ name: 'ENCODING', value: 'b' });
    else if (p.name === 'CHARSET') charset = p.value;
    else params.push(p);
  }
  // Bare BASE64 as a 2.1 bare parameter value.
  const base64Bare = types.findIndex((t) => t.toUpperCase() === 'BASE64');
  if (base64Bare >= 0) {
    types.splice(base64Bare, 1);
    params.push({ name: 'ENCODING', value: 'b' });
  }
  if (types.length > 0) params.unshift({ name: 'TYPE', value: types.join(',') });
  let value = line.value;
  if (qp) {
    // Decoded text is escaped as 3.0 text (RFC 2426 §4): backslash and newline here, commas below.
    value = decodeQuotedPrintable(value, charset).replace(/\\/g, '\\\\').replace(/\r\n|\n|\r/g, '\\n');
    if (PLAIN_TEXT.has(line.name)) value = value.replace(/;/g, '\\;');
  }
  if (TEXT.has(line.name)) value = value.replace(/(?<!\\),/g, '\\,');
  if (params.some((p) => p.name === 'ENCODING' && p.value === 'b')) value = value.replace(/\s+/g, '');
  return formatLine({ group: line.group, name: line.name, params, value });
}

/** The vCard converted to 3.0 when it is 2.1; other versions are returned unchanged. */
export function vcard21To30(text: string): string {
  const { lines } = contentLines(text);
  if (!lines.some((l) => l.name === 'VERSION' && l.value.trim() === '2.1')) return text;
  return lines.map((l) => (l.name === 'BEGIN' || l.name === 'END' ? `${l.name}:${l.value}` : convertLine(l))).join('\r\n') + '\r\n';
}

/** Whether an item of `version` must be converted for a target that accepts `accepted` versions (empty: all). */
export function needsConversion(version: string | null, accepted: readonly string[]): boolean {
  return version === '2.1' && accepted.length > 0 && !accepted.includes('2.1');
}
