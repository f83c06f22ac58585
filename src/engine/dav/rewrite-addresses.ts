/**
 * Address rewriting when the domain changes (an option): `old.example` → `new.example` in ORGANIZER and
 * ATTENDEE (RFC 5545 §3.8.4.3, §3.8.4.1, their `mailto:` URIs and EMAIL parameters, RFC 7986 §6.1)
 * and in vCard EMAIL properties (RFC 6350 §6.4.2, RFC 2426 §3.3.2). Only lines that change are
 * re-serialised; every other line keeps its bytes.
 */
import { contentLines, formatLine, type ContentLine } from './content-lines.ts';

/** One domain rule: addresses @from become @to (case-insensitive match on the domain). */
export interface DomainRewrite {
  readonly from: string;
  readonly to: string;
}

function rewriteAddress(address: string, rules: readonly DomainRewrite[]): string {
  return address.replace(/@([A-Za-z0-9.-]+)/g, (whole, domain: string) => {
    const rule = rules.find((r) => r.from.toLowerCase() === domain.toLowerCase());
    return rule ? `@${rule.to}` : whole;
  });
}

function rewriteLine(line: ContentLine, rules: readonly DomainRewrite[]): ContentLine | null {
  const addressProp = ['ORGANIZER', 'ATTENDEE', 'EMAIL'].includes(line.name);
  const value = addressProp ? rewriteAddress(line.value, rules) : line.value;
  const params = line.params.map((p) => (p.name === 'EMAIL' || p.name === 'SENT-BY' || p.name === 'DELEGATED-TO' || p.name === 'DELEGATED-FROM' || (p.name === 'MEMBER' && addressProp)
    ? { name: p.name, value: rewriteAddress(p.value, rules) } : p));
  const changed = value !== line.value || params.some((p, i) => p.value !== line.params[i]?.value);
  return changed ? { ...line, value, params, raw: formatLine({ group: line.group, name: line.name, params, value }) } : null;
}

/** The item with addresses rewritten by `rules`; the same text when nothing matched. */
export function rewriteAddresses(text: string, rules: readonly DomainRewrite[]): string {
  if (rules.length === 0) return text;
  const { lines } = contentLines(text);
  let changed = false;
  const out = lines.map((line) => {
    const rewritten = rewriteLine(line, rules);
    if (rewritten) changed = true;
    return (rewritten ?? line).raw;
  });
  return changed ? out.join('\r\n') + '\r\n' : text;
}

/** Parses `old.example=new.example`. */
export function parseDomainRewrite(spec: string): DomainRewrite {
  const m = /^([A-Za-z0-9.-]+)=([A-Za-z0-9.-]+)$/.exec(spec.trim());
  if (!m) throw new Error(`expected OLD-DOMAIN=NEW-DOMAIN, got "${spec}"`);
  return { from: m[1] as string, to: m[2] as string };
}
