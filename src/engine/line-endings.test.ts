import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { countBareLf, crlfLength, toCrlf } from './line-endings.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/mail/${name}`, import.meta.url));

void test('toCrlf converts bare LF and leaves CRLF and bare CR alone', () => {
  const cases: Array<{ name: string; input: string; expected: string }> = [
    { name: 'empty', input: '', expected: '' },
    { name: 'no line ending', input: 'abc', expected: 'abc' },
    { name: 'already CRLF', input: 'a\r\nb\r\n', expected: 'a\r\nb\r\n' },
    { name: 'bare LF', input: 'a\nb\n', expected: 'a\r\nb\r\n' },
    { name: 'LF first byte', input: '\nx', expected: '\r\nx' },
    { name: 'LF last byte', input: 'x\n', expected: 'x\r\n' },
    { name: 'mixed', input: 'a\r\nb\nc\r\n\n', expected: 'a\r\nb\r\nc\r\n\r\n' },
    { name: 'bare CR kept', input: 'a\rb\n', expected: 'a\rb\r\n' },
    { name: 'CR CR LF keeps both CRs', input: 'a\r\r\n', expected: 'a\r\r\n' },
    { name: 'only LFs', input: '\n\n\n', expected: '\r\n\r\n\r\n' },
  ];
  for (const c of cases) {
    const input = Buffer.from(c.input, 'latin1');
    const out = toCrlf(input);
    assert.equal(out.toString('latin1'), c.expected, c.name);
    assert.equal(crlfLength(input), Buffer.byteLength(c.expected, 'latin1'), `${c.name}: crlfLength`);
    assert.equal(countBareLf(input), Buffer.byteLength(c.expected, 'latin1') - input.length, `${c.name}: count`);
  }
});

void test('toCrlf returns the same instance when nothing changes', () => {
  const crlf = fixture('mailparser-nodemailer.eml');
  assert.equal(toCrlf(crlf), crlf);
  const lf = fixture('enmime-mime-mixed.eml');
  const out = toCrlf(lf);
  assert.notEqual(out, lf);
  assert.equal(toCrlf(out), out, 'converting twice is a no-op');
  assert.equal(out.toString('latin1'), lf.toString('latin1').replace(/\r?\n/g, '\r\n'));
});

void test('toCrlf on a real message with mixed line endings', () => {
  const raw = fixture('dovecot-thirdparty-001.eml');
  const out = toCrlf(raw);
  assert.equal(out.length, crlfLength(raw));
  assert.equal(countBareLf(out), 0);
  // Only LFs were added: removing the inserted CRs gives the original back.
  assert.deepEqual(Buffer.from(out.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'), Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'));
});

void test('toCrlf is fast on 1 MB messages', () => {
  const line = 'x'.repeat(76);
  const lf = Buffer.from(`${line}\n`.repeat(14_000), 'latin1'); // ~1.08 MB, every line bare LF
  const crlf = Buffer.from(`${line}\r\n`.repeat(14_000), 'latin1');
  const started = performance.now();
  for (let i = 0; i < 20; i++) {
    toCrlf(lf);
    toCrlf(crlf);
  }
  const perMessageMs = (performance.now() - started) / 40;
  assert.ok(perMessageMs < 25, `took ${perMessageMs.toFixed(2)} ms per message`);
  assert.equal(toCrlf(lf).equals(crlf), true);
});
