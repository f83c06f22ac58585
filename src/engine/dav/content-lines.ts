/**
 * Content lines of iCalendar (RFC 5545 §3.1) and vCard (RFC 6350 §3.2, RFC 2426 §2.6, vCard 2.1):
 * unfolding, the name/parameter/value split, and the BEGIN/END tree. Tolerant on purpose (it also
 * reads vCard 2.1 with quoted-printable soft line breaks and bare parameters such as `TEL;HOME`), so
 * it can normalise, rewrite and convert what a stricter parser would refuse; validity is judged
 * separately (parse-item.ts).
 */

/** One parameter: upper-case name (null for a vCard 2.1 bare value such as `HOME`) and raw value. */
export interface ContentParam {
  readonly name: string | null;
  readonly value: string;
}

/** One logical (unfolded) line. */
export interface ContentLine {
  /** Lines as they appeared (folding kept), for writing back untouched lines byte-faithfully. */
  readonly raw: string;
  readonly group: string | null;
  /** Upper-case property name. */
  readonly name: string;
  readonly params: readonly ContentParam[];
  readonly value: string;
}

/** A component: BEGIN:X … END:X with its properties and sub-components. */
export interface ContentComponent {
  readonly name: string;
  readonly properties: ContentLine[];
  readonly components: ContentComponent[];
}

/** Splits text into physical lines (CRLF, LF or a lone CR end a line). */
function physicalLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Splits `NAME;P=V;P2="a;b":value` at the first ':' outside quotes. */
export function splitLine(logical: string): { group: string | null; name: string; params: ContentParam[]; value: string } | null {
  let i = 0;
  let inQuotes = false;
  const parts: string[] = [];
  let start = 0;
  for (; i < logical.length; i++) {
    const c = logical.charAt(i);
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && c === ';') {
      parts.push(logical.slice(start, i));
      start = i + 1;
    } else if (!inQuotes && c === ':') break;
  }
  if (i >= logical.length) return null;
  parts.push(logical.slice(start, i));
  const value = logical.slice(i + 1);
  const head = parts[0] ?? '';
  const dot = head.indexOf('.');
  const group = dot > 0 ? head.slice(0, dot) : null;
  const name = (dot > 0 ? head.slice(dot + 1) : head).trim().toUpperCase();
  if (!/^[A-Z0-9-]+$/.test(name)) return null;
  const params = parts.slice(1).map((p): ContentParam => {
    const eq = p.indexOf('=');
    return eq < 0 ? { name: null, value: p.trim() } : { name: p.slice(0, eq).trim().toUpperCase(), value: p.slice(eq + 1) };
  });
  return { group, name, params, value };
}

/** Logical lines: folded continuation lines joined (RFC 5545 §3.1), and quoted-printable soft breaks (vCard 2.1). */
export function contentLines(text: string): { lines: ContentLine[]; errors: string[] } {
  const physical = physicalLines(text);
  const lines: ContentLine[] = [];
  const errors: string[] = [];
  let rawParts: string[] = [];
  let logical = '';
  const flush = (): void => {
    if (rawParts.length === 0) return;
    const parsed = splitLine(logical);
    if (parsed) lines.push({ raw: rawParts.join('\r\n'), ...parsed });
    else if (logical.trim() !== '') errors.push(`line ${lines.length + errors.length + 1} is not a content line: ${JSON.stringify(logical.slice(0, 80))}`);
    rawParts = [];
    logical = '';
  };
  for (const line of physical) {
    const qpSoftBreak = rawParts.length > 0 && /ENCODING=QUOTED-PRINTABLE/i.test(logical.split(':')[0] ?? '') && logical.endsWith('=');
    if (rawParts.length > 0 && (line.startsWith(' ') || line.startsWith('\t'))) {
      rawParts.push(line);
      logical += line.slice(1);
    } else if (qpSoftBreak) {
      rawParts.push(line);
      logical = logical.slice(0, -1) + line;
    } else {
      flush();
      if (line === '') continue;
      rawParts = [line];
      logical = line;
    }
  }
  flush();
  return { lines, errors };
}

/** Builds the BEGIN/END tree; the result's roots are the top-level components. */
export function componentTree(lines: readonly ContentLine[]): { roots: ContentComponent[]; errors: string[] } {
  const roots: ContentComponent[] = [];
  const stack: ContentComponent[] = [];
  const errors: string[] = [];
  for (const line of lines) {
    if (line.name === 'BEGIN') {
      const component: ContentComponent = { name: line.value.trim().toUpperCase(), properties: [], components: [] };
      const parent = stack[stack.length - 1];
      if (parent) parent.components.push(component);
      else roots.push(component);
      stack.push(component);
    } else if (line.name === 'END') {
      const open = stack.pop();
      if (!open || open.name !== line.value.trim().toUpperCase()) errors.push(`END:${line.value} does not close ${open ? `BEGIN:${open.name}` : 'anything'}`);
    } else {
      const top = stack[stack.length - 1];
      if (top) top.properties.push(line);
      else errors.push(`property ${line.name} outside BEGIN/END`);
    }
  }
  for (const open of stack) errors.push(`BEGIN:${open.name} is never closed`);
  return { roots, errors };
}

/** Folds a logical line at 75 octets (RFC 5545 §3.1), not inside a UTF-8 sequence. */
export function foldLine(logical: string): string {
  const bytes = Buffer.from(logical, 'utf8');
  if (bytes.length <= 75) return logical;
  const out: string[] = [];
  let start = 0;
  let limit = 75;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    // Step back to a character boundary (continuation bytes are 10xxxxxx).
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    out.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
    limit = 74;
  }
  return out.join('\r\n ');
}

/** Serialises a parsed line (used for lines that were changed). */
export function formatLine(line: Pick<ContentLine, 'group' | 'name' | 'params' | 'value'>): string {
  const params = line.params.map((p) => (p.name === null ? `;${p.value}` : `;${p.name}=${p.value}`)).join('');
  return foldLine(`${line.group ? `${line.group}.` : ''}${line.name}${params}:${line.value}`);
}
