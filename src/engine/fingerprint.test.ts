import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fingerprint, fingerprintOfMessage, headerSectionEnd, normaliseMessageId, parseFingerprintHeaders } from './fingerprint.ts';
import { toCrlf } from './line-endings.ts';

const fixtureDir = new URL('./fixtures/mail/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, fixtureDir));

/**
 * What an IMAP server answers to BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)] (RFC 3501
 * §6.4.5): the matching lines of the CRLF message, continuation lines included, then the empty line.
 */
function serverHeaderFields(raw: Buffer): Buffer {
  const crlf = toCrlf(raw).toString('latin1');
  const end = crlf.search(/\r\n\r\n/);
  const lines = (end === -1 ? crlf : crlf.slice(0, end)).split('\r\n');
  const kept: string[] = [];
  let keeping = false;
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (keeping) kept.push(line);
      continue;
    }
    keeping = /^(message-id|date|from|subject)\s*:/i.test(line);
    if (keeping) kept.push(line);
  }
  return Buffer.from(kept.map((l) => `${l}\r\n`).join('') + '\r\n', 'latin1');
}

void test('parseFingerprintHeaders: table', () => {
  const cases: Array<{ name: string; raw: string; expected: ReturnType<typeof parseFingerprintHeaders> }> = [
    { name: 'empty block', raw: '', expected: { messageId: null, date: null, from: null, subject: null } },
    { name: 'only the blank line', raw: '\r\n', expected: { messageId: null, date: null, from: null, subject: null } },
    {
      name: 'case-insensitive names, trimmed values, CRLF',
      raw: 'message-ID:  <a@b> \r\nDATE: Mon, 1 Jan 2001 00:00:00 +0000\r\nfrom: X <x@y>\r\nSubject:   hi  \r\n\r\n',
      expected: { messageId: '<a@b>', date: 'Mon, 1 Jan 2001 00:00:00 +0000', from: 'X <x@y>', subject: 'hi' },
    },
    {
      name: 'folded subject keeps the whitespace after the fold (RFC 5322 §2.2.3)',
      raw: 'Subject: part one\r\n\tpart two\r\n  part three\n\n',
      expected: { messageId: null, date: null, from: null, subject: 'part one\tpart two  part three' },
    },
    {
      name: 'first occurrence wins',
      raw: 'Subject: first\r\nSubject: second\r\nMessage-ID: <1@x>\r\nMessage-ID: <2@x>\r\n',
      expected: { messageId: '<1@x>', date: null, from: null, subject: 'first' },
    },
    {
      name: 'stops at the first empty line',
      raw: 'From: a@b\n\nSubject: in the body\n',
      expected: { messageId: null, date: null, from: 'a@b', subject: null },
    },
    {
      name: 'RFC 2047 words stay raw',
      raw: 'Subject: =?UTF-8?Q?caf=C3=A9?=\r\n',
      expected: { messageId: null, date: null, from: null, subject: '=?UTF-8?Q?caf=C3=A9?=' },
    },
    {
      name: 'junk lines and continuation without a field are ignored',
      raw: ' orphan continuation\r\nnot a header\r\nFrom: a@b\r\n',
      expected: { messageId: null, date: null, from: 'a@b', subject: null },
    },
    {
      name: 'WSP before the colon (obsolete syntax, RFC 5322 §4.5)',
      raw: 'Subject : old style\r\n',
      expected: { messageId: null, date: null, from: null, subject: 'old style' },
    },
    {
      name: 'Message-ID with comment and fold',
      raw: 'Message-Id: (generated)\r\n <abc@\r\n example.org> (trailing)\r\n',
      expected: { messageId: '<abc@example.org>', date: null, from: null, subject: null },
    },
    {
      name: 'empty header values',
      raw: 'Message-ID:\r\nSubject:\r\n',
      expected: { messageId: null, date: null, from: null, subject: '' },
    },
  ];
  for (const c of cases) assert.deepEqual(parseFingerprintHeaders(Buffer.from(c.raw, 'latin1')), c.expected, c.name);
});

void test('parseFingerprintHeaders keeps 8-bit bytes as latin1 and never throws', () => {
  const raw = Buffer.concat([Buffer.from('Subject: '), Buffer.from([0xb1, 0xa4, 0xff, 0x00]), Buffer.from('\r\n')]);
  assert.equal(parseFingerprintHeaders(raw).subject, '\u00b1\u00a4\u00ff\u0000');
});

void test('normaliseMessageId', () => {
  const cases: Array<[string, string | null]> = [
    ['<a@b>', '<a@b>'],
    ['  <a@b>  ', '<a@b>'],
    ['(comment) <a@b> (more)', '<a@b>'],
    ['a@b', 'a@b'],
    ['a@b (no brackets)', 'a@b'],
    ['', null],
    ['<>', null],
    ['<a@b> <c@d>', '<a@b>'],
  ];
  for (const [input, expected] of cases) assert.equal(normaliseMessageId(input), expected, input);
});

void test('headerSectionEnd', () => {
  const cases: Array<[string, number]> = [
    ['A: 1\r\n\r\nbody', 6],
    ['A: 1\n\nbody', 5],
    ['\r\nbody', 0],
    ['\nbody', 0],
    ['A: 1\r\nB: 2', 10],
    ['A: 1\n\r\nbody', 5],
  ];
  for (const [input, expected] of cases) assert.equal(headerSectionEnd(Buffer.from(input)), expected, JSON.stringify(input));
});

void test('real messages: source-side and target-side fingerprints agree', () => {
  const names = readdirSync(fixtureDir).filter((n) => n.endsWith('.eml'));
  assert.ok(names.length >= 8);
  for (const name of names) {
    const raw = fixture(name);
    const crlf = toCrlf(raw);
    const fromMeta = fingerprint({ headers: serverHeaderFields(raw), size: crlf.length });
    assert.equal(fingerprintOfMessage(raw), fromMeta, name);
    assert.equal(fingerprintOfMessage(crlf), fromMeta, `${name} after CRLF conversion`);
    assert.match(fromMeta, /^[0-9a-f]{64}$/);
  }
});

void test('real message without Message-ID still gets a fingerprint from the other fields', () => {
  const raw = fixture('enmime-non-mime.eml');
  const h = parseFingerprintHeaders(raw);
  assert.equal(h.messageId, null);
  assert.equal(h.from, 'James Hillyerd <james@hillyerd.com>');
  assert.equal(h.date, 'Sun, 14 Oct 2012 16:09:01 -0700');
  assert.equal(h.subject, 'test Sun, 14 Oct 2012 16:09:01 -0700');
  // Changing any field changes it.
  const edited = Buffer.from(raw.toString('latin1').replace('Subject: test', 'Subject: tess'), 'latin1');
  assert.notEqual(fingerprintOfMessage(edited), fingerprintOfMessage(raw));
});

void test('real message with a folded Subject', () => {
  const raw = fixture('mailparser-nodemailer.eml');
  const h = parseFingerprintHeaders(raw.subarray(0, headerSectionEnd(raw)));
  assert.equal(h.subject, 'Nodemailer is unicode friendly =?UTF-8?Q?=E2=9C=94?= (1476358788189)');
  assert.equal(h.messageId, '<012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>');
  // A server that re-folds the header differently yields the same fingerprint.
  const refolded = Buffer.from(
    'Subject: Nodemailer is unicode friendly\r\n =?UTF-8?Q?=E2=9C=94?= (1476358788189)\r\n' +
      'From: Andris Kreata <andris@kreata.ee>\r\nMessage-ID: <012d606e-3550-2d94-b566-6cd996de88e3@kreata.ee>\r\n' +
      'Date: Thu, 13 Oct 2016 11:39:48 +0000\r\n\r\n',
  );
  assert.equal(fingerprint({ headers: refolded, size: raw.length }), fingerprintOfMessage(raw));
});

void test('real messages with raw 8-bit headers', () => {
  const korean = fixture('spamassassin-spam-00035.eml');
  const h = parseFingerprintHeaders(korean.subarray(0, headerSectionEnd(korean)));
  assert.ok(h.from !== null && h.subject !== null);
  // Raw bytes preserved: re-encoding as latin1 gives the original EUC-KR bytes.
  assert.deepEqual(Buffer.from(h.from, 'latin1').subarray(0, 6), Buffer.from([0xb1, 0xb3, 0xc0, 0xb0, 0xc6, 0xc0]));
  assert.equal(h.messageId, '<20020719072300.7A551DE087@ccsun37.cc.ntu.edu.tw>');
  // 8-bit bytes in an unrelated folded header: no throw, fields still read.
  const dovecot = fixture('dovecot-thirdparty-010.eml');
  assert.equal(parseFingerprintHeaders(dovecot).subject, '=?UTF-8?B?44GT44KT44Gr44Gh44Gv?=');
});

void test('duplicate Message-IDs: same fingerprint only when every field and the size agree', () => {
  const dsn = fixture('enmime-simple-dsn.eml');
  const dsnHtml = fixture('enmime-simple-dsn-with-html.eml');
  const a = parseFingerprintHeaders(dsn);
  const b = parseFingerprintHeaders(dsnHtml);
  assert.deepEqual(a, b, 'same four headers');
  assert.notEqual(fingerprintOfMessage(dsn), fingerprintOfMessage(dsnHtml), 'different size');

  const alt = fixture('enmime-mime-alternative.eml');
  const mixed = fixture('enmime-mime-mixed.eml');
  assert.equal(parseFingerprintHeaders(alt).messageId, parseFingerprintHeaders(mixed).messageId);
  assert.notEqual(fingerprintOfMessage(alt), fingerprintOfMessage(mixed));

  // Byte-identical copies share a fingerprint: identity is per source item, matching uses multiplicity.
  assert.equal(fingerprintOfMessage(Buffer.from(dsn)), fingerprintOfMessage(dsn));
});

void test('whitespace runs are collapsed; the fingerprint is versioned and stable', () => {
  const a = fingerprint({ headers: Buffer.from('Subject: a  b\r\nFrom: x\r\n\r\n'), size: 10 });
  const b = fingerprint({ headers: Buffer.from('From:   x\r\nSubject: a\r\n\tb\r\n\r\n'), size: 10 });
  assert.equal(a, b);
  assert.notEqual(a, fingerprint({ headers: Buffer.from('Subject: ab\r\nFrom: x\r\n\r\n'), size: 10 }));
  assert.notEqual(a, fingerprint({ headers: Buffer.from('Subject: a b\r\nFrom: x\r\n\r\n'), size: 11 }));
  // Field boundaries matter: moving text between fields changes the fingerprint.
  assert.notEqual(
    fingerprint({ headers: Buffer.from('Subject: a\r\nFrom: b\r\n'), size: 1 }),
    fingerprint({ headers: Buffer.from('Subject: b\r\nFrom: a\r\n'), size: 1 }),
  );
  assert.equal(fingerprint({ headers: Buffer.alloc(0), size: 0 }), fingerprint({ headers: Buffer.from('\r\n'), size: 0 }));
  // Pinned value (sha256 of "cutover-fp-1\nmessage-id:<a@b>\ndate:\nfrom:\nsubject:hi\nsize:42"): the ledger
  // stores fingerprints, so a change of the canonical form must bump FINGERPRINT_VERSION and this value.
  assert.equal(
    fingerprint({ headers: Buffer.from('Message-ID: <a@b>\r\nSubject: hi\r\n\r\n'), size: 42 }),
    '25f5e7bdbde50b8b61c31ee09c541892d073be00c917eccdb4ee9474aa9e8998',
  );
});
