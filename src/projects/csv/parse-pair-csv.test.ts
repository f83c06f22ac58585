import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePairCsv, type PairCsvAccess } from './parse-pair-csv.ts';
import type { PairCsvFormat } from './pair-csv-format.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/csv/${name}`, import.meta.url), 'utf8');

const PASSWORD: PairCsvAccess = { source: 'password', target: 'password' };
const MASTER: PairCsvAccess = { source: 'master', target: 'master' };
const M365: PairCsvAccess = { source: 'password', target: 'master' };

const MWIZ_HEADER = 'Source Email,Source Login Name,Source Password,Destination Email,Destination Login Name,Destination Password,Flags';

void describe('the three formats', () => {
  void test('MigrationWiz bulk add: login names default to the addresses, quoted passwords kept exactly, Flags kept', () => {
    const result = parsePairCsv(fixture('migrationwiz.csv'), { access: PASSWORD });
    assert.equal(result.format, 'migrationwiz');
    assert.deepEqual(result.errors, []);
    assert.equal(result.rows, 3);
    const [alice, bob, carol] = result.pairs;
    assert.deepEqual(alice, {
      line: 2, sourceEmail: 'alice@old.example.com', sourceUser: 'alice@old.example.com', sourcePassword: 'pa,ss"word-1',
      targetEmail: 'alice@new.example.org', targetUser: 'alice@new.example.org', targetPassword: 'Target-Pw-1', flags: null,
      sourceKey: 'alice@old.example.com', targetKey: 'alice@new.example.org',
    });
    assert.equal(bob?.sourceUser, 'bob');
    assert.equal(bob?.flags, 'Priority');
    assert.equal(carol?.sourceUser, 'carol.smith');
    assert.equal(carol?.targetUser, 'carol@new.example.org');
  });

  void test('Microsoft 365 IMAP migration with a byte order mark and CRLF: EmailAddress is the target, UserName/Password the source login', () => {
    const result = parsePairCsv(fixture('m365-bom-crlf.csv'), { access: M365 });
    assert.equal(result.format, 'm365');
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.pairs.map((p) => [p.line, p.sourceUser, p.sourceEmail, p.sourcePassword, p.targetUser, p.targetPassword]), [
      [2, 'alice@old.example.com', 'alice@old.example.com', 'src-pw-1', 'alice@new.example.org', null],
      [3, 'bob', null, 'src,pw-2', 'bob@new.example.org', null],
    ]);
  });

  void test('admin form: both sides through admin access, no passwords', () => {
    const result = parsePairCsv(fixture('admin.csv'), { access: MASTER });
    assert.equal(result.format, 'admin');
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.pairs.map((p) => [p.sourceUser, p.targetUser, p.sourcePassword, p.targetPassword]), [
      ['alice@old.example.com', 'alice@new.example.org', null, null],
      ['bob@old.example.com', 'bob@new.example.org', null, null],
    ]);
  });

  void test('headers match without regard to case, spaces or column order; Flags may be left out', () => {
    const cases: Array<[string, PairCsvFormat]> = [
      [' SOURCE , Target \n', 'admin'],
      ['target,source\n', 'admin'],
      ['emailaddress,username,password\n', 'm365'],
      ['SourceEmail,SourceLoginName,SourcePassword,DestinationEmail,DestinationLoginName,DestinationPassword\n', 'migrationwiz'],
      [`${MWIZ_HEADER},,\n`, 'migrationwiz'],
    ];
    for (const [text, format] of cases) assert.equal(parsePairCsv(text, { access: MASTER }).format, format, text);
  });

  void test('an explicit format is checked against the header', () => {
    const ok = parsePairCsv('source,target\na@old.example.com,a@new.example.org\n', { access: MASTER, format: 'admin' });
    assert.equal(ok.pairs.length, 1);
    const bad = parsePairCsv('source,target\na@old.example.com,a@new.example.org\n', { access: MASTER, format: 'm365' });
    assert.equal(bad.fileError, true);
    assert.match(bad.errors[0]?.message ?? '', /^line 1: unknown header "source,target" for the Microsoft 365 IMAP migration format \(missing EmailAddress, UserName, Password; unknown source, target\)/);
  });
});

void describe('bad rows are reported with their line numbers', () => {
  const bad = parsePairCsv(fixture('migrationwiz-bad-rows.csv'), { access: PASSWORD });
  // One row of each kind; line 5-6 is a valid row whose quoted Flags span two lines, line 7 is blank.
  const cases: Array<{ kind: string; line: number; message: RegExp; field?: string }> = [
    { kind: 'missing required field', line: 3, message: /^line 3: missing required field Source Email$/, field: 'Source Email' },
    { kind: 'invalid email address', line: 4, message: /^line 4: invalid email address in Source Email: "not-an-email"$/, field: 'Source Email' },
    { kind: 'duplicate source', line: 8, message: /^line 8: duplicate source "alice@old.example.com": first on line 2$/ },
    { kind: 'duplicate target (case-insensitive)', line: 9, message: /^line 9: duplicate target "alice@new.example.org": first on line 2$/ },
    { kind: 'wrong column count', line: 10, message: /^line 10: wrong column count: 2 fields, the header has 7$/ },
    { kind: 'password missing where required', line: 11, message: /^line 11: password missing: Source Password is required because the source endpoint logs in per user/, field: 'Source Password' },
  ];
  for (const c of cases) {
    void test(c.kind, () => {
      const found = bad.errors.filter((e) => e.line === c.line);
      assert.equal(found.length, 1, `one error on line ${c.line}: ${JSON.stringify(bad.errors)}`);
      assert.match(found[0]?.message ?? '', c.message);
      assert.equal(found[0]?.field, c.field);
    });
  }

  void test('the other rows stay valid, and nothing else is reported', () => {
    assert.equal(bad.format, 'migrationwiz');
    assert.equal(bad.rows, 8);
    assert.equal(bad.fileError, false);
    assert.deepEqual(bad.pairs.map((p) => p.line), [2, 5]);
    assert.equal(bad.pairs[1]?.flags, 'first line\nsecond line');
    assert.deepEqual(bad.errors.map((e) => e.line), [3, 4, 8, 9, 10, 11]);
  });

  const table: Array<{ name: string; text: string; access: PairCsvAccess; lines: number[]; message: RegExp }> = [
    {
      name: 'unknown header',
      text: fixture('unknown-header.csv'),
      access: PASSWORD,
      lines: [1],
      message: /^line 1: unknown header "Mailbox,Login,Secret": expected MigrationWiz bulk add \(Source Email, .*\); or Microsoft 365 IMAP migration \(EmailAddress, UserName, Password\); or admin \(master\) form \(source, target\)$/,
    },
    {
      name: 'Microsoft 365 form without admin access on the target: every row',
      text: fixture('m365-bom-crlf.csv'),
      access: PASSWORD,
      lines: [2, 3],
      message: /^line \d: the Microsoft 365 IMAP migration format needs admin \(master\) access on the target endpoint, but it uses per-user password access$/,
    },
    {
      name: 'Microsoft 365 form: Password required when the source logs in per user',
      text: 'EmailAddress,UserName,Password\na@new.example.org,a,\n',
      access: M365,
      lines: [2],
      message: /^line 2: password missing: Password is required because the source endpoint/,
    },
    {
      name: 'admin form needs admin access on the source too',
      text: 'source,target\na@old.example.com,a@new.example.org\n',
      access: M365,
      lines: [2],
      message: /^line 2: the admin \(master\) form format needs admin \(master\) access on the source endpoint/,
    },
    {
      name: 'admin form: invalid target address',
      text: 'source,target\na@old.example.com,a@new\n',
      access: MASTER,
      lines: [2],
      message: /^line 2: invalid email address in target: "a@new"$/,
    },
    {
      name: 'MigrationWiz with admin access: passwords may be empty, but not the destination address',
      text: `${MWIZ_HEADER}\na@old.example.com,,,,,,\n`,
      access: MASTER,
      lines: [2],
      message: /^line 2: missing required field Destination Email$/,
    },
    {
      name: 'a quoted field spanning lines moves the following line numbers',
      text: `source,target\n"a@old.example.com",a@new.example.org\n"b@old\n.example.com",b@new.example.org\nc@old.example.com,bad address\n`,
      access: MASTER,
      lines: [3, 5],
      message: /^line (3: invalid email address in source: "b@old\n\.example\.com"|5: invalid email address in target: "bad address")$/,
    },
    {
      name: 'a quote never closed ends the file with its line',
      text: 'source,target\na@old.example.com,a@new.example.org\n"b@old.example.com,b@new.example.org\nc@old.example.com,c@new.example.org\n',
      access: MASTER,
      lines: [3],
      message: /^line 3: a quoted field is never closed/,
    },
    {
      name: 'an empty file',
      text: '',
      access: MASTER,
      lines: [1],
      message: /^line 1: the file is empty/,
    },
  ];
  for (const c of table) {
    void test(c.name, () => {
      const result = parsePairCsv(c.text, { access: c.access });
      assert.deepEqual(result.errors.map((e) => e.line), c.lines, JSON.stringify(result.errors));
      for (const e of result.errors) assert.match(e.message, c.message);
    });
  }

  void test('no password ever appears in an error', () => {
    const text = `${MWIZ_HEADER}\na@old.example.com,,Secr3t-One,a@new.example.org,,Secr3t-Two,\na@old.example.com,,Secr3t-Three,bad,,Secr3t-Four,\n`;
    const result = parsePairCsv(text, { access: PASSWORD });
    assert.ok(result.errors.length >= 2);
    assert.doesNotMatch(JSON.stringify(result.errors), /Secr3t/);
  });
});
