import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FolderData, SpecialUse } from '../connectors/imap/types.ts';
import { AppError } from '../core/app-error.ts';
import { buildFolderMap, detectPrefix, guessSpecialUse, parseRegexTrans, type FolderMapOptions, type FolderMapping } from './folder-map.ts';

/** A LIST entry: `path`, optionally `path|\Sent` or `path|\Noselect`. */
function folder(spec: string, delimiter = '/'): FolderData {
  const [path = '', attr] = spec.split('|');
  const noselect = attr === '\\Noselect';
  return {
    path,
    delimiter,
    flags: noselect ? ['\\Noselect', '\\HasChildren'] : attr === undefined ? [] : [attr],
    specialUse: attr !== undefined && !noselect ? (attr as SpecialUse) : null,
    selectable: !noselect,
    subscribed: true,
  };
}

const base: FolderMapOptions = {
  include: [],
  exclude: [],
  folders: null,
  regexTrans: [],
  automap: false,
  sourceDelimiter: '/',
  targetDelimiter: '/',
};

/** `source -> target (reason[, use][, noselect])` lines for compact expectations. */
const render = (m: FolderMapping): string =>
  `${m.source} -> ${m.target} (${m.reason}${m.specialUse === null ? '' : `, ${m.specialUse}`}${m.selectable ? '' : ', noselect'})`;

interface Case {
  name: string;
  source: string[];
  target: string[];
  options?: Partial<FolderMapOptions>;
  sourceDelimiter?: string;
  targetDelimiter?: string;
  expected: string[];
  warnings?: RegExp[];
}

const cases: Case[] = [
  {
    name: 'INBOX is INBOX, case-insensitively (RFC 3501 §5.1)',
    source: ['inbox', 'Work'],
    target: ['INBOX'],
    expected: ['inbox -> INBOX (name)', 'Work -> Work (name)'],
  },
  {
    name: 'special-use first, whatever the names',
    source: ['INBOX', 'Sent Items|\\Sent', 'Deleted Items|\\Trash', 'Brouillons|\\Drafts'],
    target: ['INBOX', 'Sent|\\Sent', 'Corbeille|\\Trash', 'Drafts|\\Drafts'],
    expected: [
      'INBOX -> INBOX (name)',
      'Sent Items -> Sent (special-use, \\Sent)',
      'Deleted Items -> Corbeille (special-use, \\Trash)',
      'Brouillons -> Drafts (special-use, \\Drafts)',
    ],
  },
  {
    name: 'special-use with no counterpart on the target keeps the source name',
    source: ['INBOX', 'Sent Items|\\Sent'],
    target: ['INBOX'],
    expected: ['INBOX -> INBOX (name)', 'Sent Items -> Sent Items (name, \\Sent)'],
  },
  {
    name: 'without automap, names alone are kept',
    source: ['INBOX', 'Sent Items', 'sent-mail', 'Junk E-mail'],
    target: ['INBOX', 'Sent|\\Sent', 'Junk|\\Junk'],
    expected: ['INBOX -> INBOX (name)', 'Sent Items -> Sent Items (name)', 'sent-mail -> sent-mail (name)', 'Junk E-mail -> Junk E-mail (name)'],
  },
  {
    name: 'automap guesses from names on either side; merging two Sent folders is allowed',
    source: ['INBOX', 'Sent Items', 'sent-mail', 'Junk E-mail', 'Brouillons', 'Deleted Items|\\Trash', 'Clients/Sent'],
    target: ['INBOX', 'Sent|\\Sent', 'Spam', 'Trash'],
    options: { automap: true },
    expected: [
      'INBOX -> INBOX (name)',
      'Sent Items -> Sent (automap, \\Sent)',
      'sent-mail -> Sent (automap, \\Sent)',
      'Junk E-mail -> Spam (automap, \\Junk)',
      'Brouillons -> Brouillons (name, \\Drafts)',
      'Deleted Items -> Trash (automap, \\Trash)',
      'Clients/Sent -> Clients/Sent (name)',
    ],
    warnings: [],
  },
  {
    name: 'two \\Sent source folders merge into the target \\Sent without a warning',
    source: ['Sent|\\Sent', 'Sent Messages|\\Sent'],
    target: ['Sent|\\Sent'],
    expected: ['Sent -> Sent (special-use, \\Sent)', 'Sent Messages -> Sent (special-use, \\Sent)'],
    warnings: [],
  },
  {
    name: 'source namespace prefix INBOX. is stripped (imapsync semantics)',
    source: ['INBOX', 'INBOX.Clients|\\Noselect', 'INBOX.Clients.ACME', 'INBOX.Sent|\\Sent'],
    target: ['INBOX', 'Sent|\\Sent'],
    sourceDelimiter: '.',
    expected: [
      'INBOX -> INBOX (name)',
      'INBOX.Clients -> Clients (name, noselect)',
      'INBOX.Clients.ACME -> Clients/ACME (name)',
      'INBOX.Sent -> Sent (special-use, \\Sent)',
    ],
  },
  {
    name: 'target namespace prefix INBOX. is added',
    source: ['INBOX', 'Clients/ACME', 'INBOX/Sub'],
    target: ['INBOX', 'INBOX.Sent|\\Sent', 'INBOX.Old'],
    targetDelimiter: '.',
    expected: ['INBOX -> INBOX (name)', 'Clients/ACME -> INBOX.Clients.ACME (name)', 'INBOX/Sub -> INBOX.Sub (name)'],
  },
  {
    name: 'explicit prefixes override detection',
    source: ['INBOX', 'INBOX.A'],
    target: ['INBOX'],
    sourceDelimiter: '.',
    options: { sourcePrefix: '', targetPrefix: 'INBOX/' },
    expected: ['INBOX -> INBOX (name)', 'INBOX.A -> INBOX/A (name)'],
  },
  {
    name: 'non-ASCII names are identity (UTF-8 in, UTF-8 out)',
    source: ['INBOX', 'Projets|\\Noselect', 'Projets/Été 2001', '日本語'],
    target: ['INBOX'],
    expected: ['INBOX -> INBOX (name)', 'Projets -> Projets (name, noselect)', 'Projets/Été 2001 -> Projets/Été 2001 (name)', '日本語 -> 日本語 (name)'],
  },
  {
    name: 'a name part containing the target delimiter',
    source: ['INBOX', 'Projects/v1.2', 'a.b'],
    target: ['INBOX'],
    targetDelimiter: '.',
    expected: ['INBOX -> INBOX (name)', 'Projects/v1.2 -> Projects.v1_2 (name)', 'a.b -> a_b (name)'],
    warnings: [/"Projects\/v1\.2".*"v1\.2".*"v1_2"/, /"a\.b".*"a_b"/],
  },
  {
    name: 'regex rename, applied in order to the target name',
    source: ['INBOX', 'Old/Clients', 'Old/Misc', 'Sent|\\Sent'],
    target: ['INBOX', 'Sent|\\Sent'],
    options: { regexTrans: [parseRegexTrans('s/^Old\\//Archive\\//'), parseRegexTrans('s,Clients,Customers,')] },
    expected: ['INBOX -> INBOX (name)', 'Old/Clients -> Archive/Customers (regex)', 'Old/Misc -> Archive/Misc (regex)', 'Sent -> Sent (special-use, \\Sent)'],
  },
  {
    name: 'include first, then exclude, on the source path',
    source: ['INBOX', 'Work', 'Work/Old', 'Private', 'Work/Trash'],
    target: ['INBOX'],
    options: { include: [/^Work/, /^INBOX$/i], exclude: [/Old$/, /Trash/g] },
    expected: ['INBOX -> INBOX (name)', 'Work -> Work (name)'],
  },
  {
    name: 'explicit folder list, no subfolders',
    source: ['INBOX', 'Work', 'Work/Old', 'Private'],
    target: ['INBOX'],
    options: { folders: ['inbox', 'Work', 'Missing'] },
    expected: ['INBOX -> INBOX (name)', 'Work -> Work (name)'],
    warnings: [/"Missing" given with --folder does not exist/],
  },
  {
    name: 'two plain folders on one target name: warning',
    source: ['INBOX', 'Sent|\\Sent', 'Sent Items'],
    target: ['INBOX', 'Sent|\\Sent'],
    options: { regexTrans: [parseRegexTrans('s/^Sent Items$/Sent/')] },
    expected: ['INBOX -> INBOX (name)', 'Sent -> Sent (special-use, \\Sent)', 'Sent Items -> Sent (regex)'],
    warnings: [/"Sent", "Sent Items" all map to target "Sent"/],
  },
  {
    name: 'delimiter collision creates a duplicate: warning',
    source: ['a.b', 'a_b'],
    target: [],
    targetDelimiter: '.',
    expected: ['a.b -> a_b (name)', 'a_b -> a_b (name)'],
    warnings: [/contains the target's hierarchy delimiter/, /"a\.b", "a_b" all map to target "a_b"/],
  },
  {
    name: '\\All is not merged and is flagged',
    source: ['INBOX', '[Gmail]|\\Noselect', '[Gmail]/All Mail|\\All', '[Gmail]/Sent Mail|\\Sent'],
    target: ['INBOX', 'Sent|\\Sent', 'Archive|\\All'],
    expected: ['INBOX -> INBOX (name)', '[Gmail] -> [Gmail] (name, noselect)', '[Gmail]/All Mail -> [Gmail]/All Mail (name, \\All)', '[Gmail]/Sent Mail -> Sent (special-use, \\Sent)'],
    warnings: [/"\[Gmail\]\/All Mail" is \\All, a virtual folder/],
  },
];

void test('buildFolderMap: table', () => {
  for (const c of cases) {
    const sd = c.sourceDelimiter ?? '/';
    const td = c.targetDelimiter ?? '/';
    const result = buildFolderMap(
      c.source.map((s) => folder(s, sd)),
      c.target.map((s) => folder(s, td)),
      { ...base, sourceDelimiter: sd, targetDelimiter: td, ...c.options },
    );
    assert.deepEqual(result.mappings.map(render), c.expected, c.name);
    if (c.warnings !== undefined) {
      assert.equal(result.warnings.length, c.warnings.length, `${c.name}: ${result.warnings.join(' | ')}`);
      c.warnings.forEach((re, i) => assert.match(result.warnings[i] ?? '', re, c.name));
    }
  }
});

void test('prefix detection', () => {
  const f = (paths: string[]): FolderData[] => paths.map((p) => folder(p, '.'));
  assert.equal(detectPrefix(f(['INBOX', 'INBOX.Sent', 'INBOX.A.B']), '.'), 'INBOX.');
  assert.equal(detectPrefix(f(['INBOX', 'INBOX.Sent', 'Other']), '.'), '');
  assert.equal(detectPrefix(f(['INBOX']), '.'), '', 'only INBOX: cannot tell');
  assert.equal(detectPrefix(f(['INBOX', 'INBOXES']), '.'), '');
  assert.equal(detectPrefix(f(['INBOX', 'INBOX.A']), ''), '');
  const r = buildFolderMap(f(['INBOX', 'INBOX.A']), [folder('INBOX')], { ...base, sourceDelimiter: '.' });
  assert.equal(r.sourcePrefix, 'INBOX.');
  assert.equal(r.targetPrefix, '');
});

void test('guessSpecialUse', () => {
  const cases: Array<[string, SpecialUse | null]> = [
    ['Sent Items', '\\Sent'],
    ['sent-mail', '\\Sent'],
    ['Éléments envoyés', '\\Sent'],
    ['Deleted Items', '\\Trash'],
    ['Junk E-mail', '\\Junk'],
    ['Brouillons', '\\Drafts'],
    ['Archives', '\\Archive'],
    ['INBOX.Sent', '\\Sent'],
    ['Clients/Sent', null],
    ['Sentinel', null],
    ['INBOX', null],
  ];
  for (const [name, expected] of cases) assert.equal(guessSpecialUse(name, name.startsWith('INBOX.') ? 'INBOX.' : '', '/'), expected, name);
});

void test('parseRegexTrans: Perl forms to JS', () => {
  const cases: Array<{ spec: string; input: string; expected: string }> = [
    { spec: 's/foo/bar/', input: 'foo foo', expected: 'bar foo' },
    { spec: 's/foo/bar/g', input: 'foo foo', expected: 'bar bar' },
    { spec: 's/FOO/bar/gi', input: 'foo Foo', expected: 'bar bar' },
    { spec: 's/^(\\w+)\\.(\\w+)$/$2-$1/', input: 'a.b', expected: 'b-a' },
    { spec: 's/^(.*)$/Archive\\/${1}0/', input: 'x', expected: 'Archive/x0' },
    { spec: 's/(a)/\\1\\1/', input: 'a', expected: 'aa' },
    { spec: 's,^Sent$,Sent Items,', input: 'Sent', expected: 'Sent Items' },
    { spec: 's#/#.#g', input: 'a/b/c', expected: 'a.b.c' },
    { spec: 's/\\//_/g', input: 'a/b', expected: 'a_b' },
    { spec: 's|a\\|b|x|', input: 'a|b', expected: 'x' },
    { spec: 's/x/\\$1 cost \\$/', input: 'x', expected: '$1 cost $' },
    { spec: 's/x/$&$&/', input: 'x', expected: 'xx' },
    { spec: 's/x/ $ /', input: 'x', expected: ' $ ' },
    { spec: 's/[^[:ascii:]]/_/g', input: 'Été', expected: '_t_' },
    { spec: 's/\\Aa/b/', input: 'aa', expected: 'ba' },
    { spec: ' s/a/b/ ', input: 'a', expected: 'b' },
  ];
  for (const c of cases) {
    const rule = parseRegexTrans(c.spec);
    assert.equal(c.input.replace(rule.pattern, rule.replacement), c.expected, c.spec);
  }
});

void test('parseRegexTrans rejects bad input with FILTER_INVALID', () => {
  const bad = ['', 'foo', 's/a/b', 's/a/b/x', 's/a/b/gg', 's(a)(b)', 's/(/x/', 's//x/', 'saxbxa', 's/a/\\U$1/', 's/[[:nope:]]/x/', 'y/a/b/'];
  for (const spec of bad) {
    assert.throws(() => parseRegexTrans(spec), (err: unknown) => err instanceof AppError && err.code === 'FILTER_INVALID', spec);
  }
});

void test('a rename rule that empties a name is refused', () => {
  assert.throws(
    () => buildFolderMap([folder('Junk')], [], { ...base, regexTrans: [parseRegexTrans('s/.*//')] }),
    (err: unknown) => err instanceof AppError && err.code === 'FILTER_INVALID' && err.message.includes('"Junk"'),
  );
});
