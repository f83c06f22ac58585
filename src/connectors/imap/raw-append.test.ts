import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAppendPlan, literalModeOf, quoteMailbox } from './raw-append.ts';
import type { AppendItem } from './types.ts';

const item = (content: string, flags: string[] = []): AppendItem => ({ content: Buffer.from(content), flags, internalDate: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
const text = (segment: readonly Buffer[]): string => Buffer.concat(segment).toString('latin1');

test('literal mode: LITERAL+ everywhere, LITERAL- and IMAP4rev2 up to 4096, else synchronizing (RFC 7888)', () => {
  assert.equal(literalModeOf(new Set(['IMAP4REV1', 'LITERAL+'])), 'plus');
  assert.equal(literalModeOf(new Set(['LITERAL-'])), 'minus');
  assert.equal(literalModeOf(new Set(['IMAP4REV2'])), 'minus');
  assert.equal(literalModeOf(new Set(['IMAP4REV1'])), 'sync');
});

test('mailbox names are quoted with \\ and " escaped; CR/LF/NUL cannot be quoted', () => {
  assert.equal(quoteMailbox('INBOX'), '"INBOX"');
  assert.equal(quoteMailbox('a "b" \\c'), '"a \\"b\\" \\\\c"');
  assert.equal(quoteMailbox('bad\r\nname'), null);
});

test('LITERAL+: one segment, every literal non-synchronizing, message bytes passed through uncopied', () => {
  const big = item('x'.repeat(5000), ['\\Seen', '$Label1', '\\Recent']);
  const plan = buildAppendPlan('"INBOX"', [item('a\r\n'), big], 'plus');
  assert.equal(plan.segments.length, 1);
  const wire = text(plan.segments[0] ?? []);
  assert.equal(wire, `APPEND "INBOX" () "02-Jan-2024 03:04:05 +0000" {3+}\r\na\r\n (\\Seen $Label1) "02-Jan-2024 03:04:05 +0000" {5000+}\r\n${'x'.repeat(5000)}`);
  assert.ok(plan.segments[0]?.includes(big.content), 'the message buffer itself is a piece');
  assert.doesNotMatch(plan.summary, /x{10}/);
});

test('LITERAL-: small literals non-synchronizing, a literal over 4096 octets ends a segment', () => {
  const plan = buildAppendPlan('"F"', [item('small'), item('y'.repeat(4097)), item('tail')], 'minus');
  assert.equal(plan.segments.length, 2);
  assert.match(text(plan.segments[0] ?? []), /\{5\+\}\r\nsmall \(\) "[^"]+" \{4097\}\r\n$/);
  assert.match(text(plan.segments[1] ?? []), /^y{4097} \(\) "[^"]+" \{4\+\}\r\ntail$/);
});

test('synchronizing: each literal waits for its continuation; an empty message is an empty literal', () => {
  const plan = buildAppendPlan('"F"', [item('one'), item('')], 'sync');
  assert.deepEqual(plan.segments.map(text), ['APPEND "F" () "02-Jan-2024 03:04:05 +0000" {3}\r\n', 'one () "02-Jan-2024 03:04:05 +0000" {0}\r\n', '']);
});

test('a UTF-8 mailbox name (UTF8=ACCEPT, RFC 6855) is written as UTF-8, not Latin-1', () => {
  const plan = buildAppendPlan('"Café"', [item('x')], 'plus');
  assert.ok(Buffer.concat(plan.segments[0] ?? []).includes(Buffer.from('"Café"', 'utf8')));
});
