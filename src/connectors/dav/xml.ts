/**
 * A small namespace-aware XML reader for WebDAV multistatus bodies (RFC 4918 §14) and an escaper for
 * the request bodies we write. WebDAV servers send well-formed XML (Radicale: ElementTree, Xandikos:
 * lxml); this reader handles what they use — elements, attributes, namespaces, text, CDATA, comments,
 * processing instructions and the predefined/numeric entities — and rejects anything malformed with a
 * message, instead of guessing. A DTD is refused (no entity expansion, so no "billion laughs").
 */

/** One element: namespace URI + local name, attributes, child elements and its text content. */
export interface XmlElement {
  readonly ns: string;
  readonly name: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** Concatenated text directly inside this element (not of its children). */
  readonly text: string;
}

interface Building {
  ns: string;
  name: string;
  qname: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  text: string;
  scope: Map<string, string>;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    const named = NAMED[ref];
    if (named === undefined) throw new Error(`unknown XML entity ${whole}`);
    return named;
  });
}

function resolveName(qname: string, scope: ReadonlyMap<string, string>, isAttr: boolean): { ns: string; name: string } {
  const colon = qname.indexOf(':');
  if (colon < 0) return { ns: isAttr ? '' : (scope.get('') ?? ''), name: qname };
  const prefix = qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined) throw new Error(`undeclared XML namespace prefix "${prefix}"`);
  return { ns, name: qname.slice(colon + 1) };
}

const ATTR = /([^\s=/>]+)\s*=\s*("([^"]*)"|'([^']*)')/gy;

/** Parses an XML document into its root element; throws Error with a reason when it is not well-formed. */
export function parseXml(input: string): XmlElement {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const stack: Building[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  const baseScope = new Map<string, string>([['xml', 'http://www.w3.org/XML/1998/namespace']]);
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk.length > 0) {
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(chunk);
      else if (chunk.trim() !== '') throw new Error('text outside the root element');
    }
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) throw new Error('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) throw new Error('unterminated CDATA section');
      const top = stack[stack.length - 1];
      if (!top) throw new Error('CDATA outside the root element');
      top.text += text.slice(lt + 9, end);
      i = end + 3;
    } else if (text.startsWith('<?', lt)) {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) throw new Error('unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!', lt)) {
      throw new Error('DOCTYPE declarations are not accepted');
    } else if (text.startsWith('</', lt)) {
      const end = text.indexOf('>', lt);
      if (end < 0) throw new Error('unterminated end tag');
      const qname = text.slice(lt + 2, end).trim();
      const open = stack.pop();
      if (!open || open.qname !== qname) throw new Error(`end tag </${qname}> does not match <${open?.qname ?? ''}>`);
      const element: XmlElement = { ns: open.ns, name: open.name, attrs: open.attrs, children: open.children, text: open.text };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else root = element;
      i = end + 1;
    } else {
      let j = lt + 1;
      while (j < text.length && !/[\s/>]/.test(text.charAt(j))) j++;
      const qname = text.slice(lt + 1, j);
      if (qname === '') throw new Error('empty tag name');
      const rawAttrs = new Map<string, string>();
      for (;;) {
        while (/\s/.test(text.charAt(j))) j++;
        const c = text.charAt(j);
        if (c === '>' || c === '/' || c === '') break;
        ATTR.lastIndex = j;
        const m = ATTR.exec(text);
        if (!m) throw new Error(`malformed attribute in <${qname}>`);
        rawAttrs.set(m[1] as string, decodeEntities(m[3] ?? m[4] ?? ''));
        j = ATTR.lastIndex;
      }
      const selfClosing = text.charAt(j) === '/';
      const close = text.indexOf('>', j);
      if (close < 0) throw new Error(`unterminated tag <${qname}>`);
      if (root) throw new Error('a second root element');
      const scope = new Map(stack[stack.length - 1]?.scope ?? baseScope);
      for (const [key, value] of rawAttrs) {
        if (key === 'xmlns') scope.set('', value);
        else if (key.startsWith('xmlns:')) scope.set(key.slice(6), value);
      }
      const attrs = new Map<string, string>();
      for (const [key, value] of rawAttrs) {
        if (key === 'xmlns' || key.startsWith('xmlns:')) continue;
        const resolved = resolveName(key, scope, true);
        attrs.set(resolved.ns ? `${resolved.ns}|${resolved.name}` : resolved.name, value);
      }
      const { ns, name } = resolveName(qname, scope, false);
      const building: Building = { ns, name, qname, attrs, children: [], text: '', scope };
      if (selfClosing) {
        const element: XmlElement = { ns, name, attrs, children: [], text: '' };
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(element);
        else root = element;
      } else {
        stack.push(building);
      }
      i = close + 1;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed element <${stack[stack.length - 1]?.qname ?? ''}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** The first child with this namespace and local name. */
export function child(element: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.ns === ns && c.name === name);
}

/** All children with this namespace and local name. */
export function children(element: XmlElement | undefined, ns: string, name: string): XmlElement[] {
  return element ? element.children.filter((c) => c.ns === ns && c.name === name) : [];
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Namespace URIs used by Cutover's DAV requests. */
export const NS = {
  DAV: 'DAV:',
  CALDAV: 'urn:ietf:params:xml:ns:caldav',
  CARDDAV: 'urn:ietf:params:xml:ns:carddav',
  /** calendar-color (a de-facto standard from Apple iCal, used by most clients). */
  APPLE: 'http://apple.com/ns/ical/',
  /** getctag (CalendarServer extension, the collection's change tag before RFC 6578). */
  CS: 'http://calendarserver.org/ns/',
} as const;
