/**
 * Folder mapping (DESIGN.md, "The sync engine" → Folders): which source folder goes to which target
 * folder. Pure: it sees the two LIST results and the options, and returns mappings plus warnings.
 *
 * Order of the rules, per source folder (imapsync's order, with SPECIAL-USE made the default):
 * 1. selection: `folders` (explicit list), then `include`, then `exclude`, matched against the source path;
 * 2. INBOX maps to INBOX (case-insensitive, RFC 3501 §5.1);
 * 3. SPECIAL-USE (RFC 6154): a source `\Sent` goes to the target's `\Sent`, whatever either is called;
 *    with `automap`, names like "Sent Items" stand in for a missing attribute on either side;
 * 4. otherwise the name is kept: the source namespace prefix is removed, the target's added, the
 *    hierarchy delimiter translated, then the `regexTrans` rules applied in order (imapsync's
 *    `--regextrans2` works on the target name too, so rules use the target delimiter). Folders mapped
 *    by special use keep the target's folder: rename rules do not apply to them (as imapsync skips
 *    `--regextrans2` for automapped folders); exclude them to handle them differently.
 *
 * Namespace prefix: some servers (Courier, Cyrus with `altnamespace: no`) keep every folder under
 * `INBOX.`. Like imapsync, the source prefix is stripped and the target prefix added, so `INBOX.Clients.ACME`
 * (prefix `INBOX.`) lands as `Clients/ACME` on a target without prefix. Without NAMESPACE (RFC 2342)
 * data here, the prefix is detected from the folder list: it is `INBOX` + delimiter when every folder
 * but INBOX starts with it. A target that only has INBOX so far cannot be detected: pass `targetPrefix`.
 *
 * Names are UTF-8 both in and out (identity for non-ASCII): modified UTF-7 is the connector's business.
 */
import type { FolderData, SpecialUse } from '../connectors/imap/types.ts';
import { AppError } from '../core/app-error.ts';

/** One `--regextrans2`-style rename rule, in JS form (see parseRegexTrans). */
export interface RegexTrans {
  readonly pattern: RegExp;
  readonly replacement: string;
}

/** Options of buildFolderMap; `sourcePrefix`/`targetPrefix` undefined = detect from the folder lists. */
export interface FolderMapOptions {
  readonly include: readonly RegExp[];
  readonly exclude: readonly RegExp[];
  /** Explicit `--folder` list: only these source folders (exact paths, no subfolders). null = all. */
  readonly folders: readonly string[] | null;
  readonly regexTrans: readonly RegexTrans[];
  /** Guess special use from names ("Sent Items", "Brouillons"…) where the attribute is missing. */
  readonly automap: boolean;
  readonly sourceDelimiter: string;
  readonly targetDelimiter: string;
  /** Source namespace prefix to strip, e.g. `INBOX.`; '' for none. */
  readonly sourcePrefix?: string;
  /** Target namespace prefix to add, e.g. `INBOX.`; '' for none. */
  readonly targetPrefix?: string;
}

/** Where one source folder goes. */
export interface FolderMapping {
  readonly source: string;
  readonly target: string;
  /** The special use this folder was mapped by (or the engine should create the target with), if any. */
  readonly specialUse: SpecialUse | null;
  readonly reason: 'special-use' | 'automap' | 'name' | 'regex';
  /** False for `\Noselect`/`\NonExistent` source containers: not created nor synced, children are. */
  readonly selectable: boolean;
}

/** Result of buildFolderMap: mappings in source order, human-readable warnings, and the prefixes used. */
export interface FolderMapResult {
  readonly mappings: FolderMapping[];
  readonly warnings: string[];
  readonly sourcePrefix: string;
  readonly targetPrefix: string;
}

/** Special uses mapped by attribute. `\All` and `\Flagged` are virtual views (RFC 6154 §2): never merged. */
const MAPPED_USES: readonly SpecialUse[] = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive'];

/**
 * Folder names that `automap` reads as a special use (imapsync's --automap list, lower-cased, with
 * spaces, dots, dashes and underscores removed). Only top-level folders (below the prefix) are guessed.
 */
const AUTOMAP_NAMES: Readonly<Record<string, SpecialUse>> = Object.fromEntries(
  (
    [
      ['\\Sent', ['sent', 'sentitems', 'sentmail', 'sentmessages', 'sentbox', 'gesendet', 'gesendeteelemente', 'gesendeteobjekte', 'envoyé', 'envoyés', 'élémentsenvoyés', 'messagesenvoyés', 'elementosenviados', 'enviados', 'itensenviados', 'postainviata', 'inviata', 'verzonden', 'verzondenitems', 'skickat', 'sendt']],
      ['\\Drafts', ['drafts', 'draft', 'brouillons', 'entwürfe', 'borradores', 'bozze', 'concepten', 'utkast', 'rascunhos', 'kladder']],
      ['\\Trash', ['trash', 'deleteditems', 'deletedmessages', 'deleted', 'bin', 'corbeille', 'élémentssupprimés', 'papierkorb', 'gelöschteelemente', 'gelöschteobjekte', 'papelera', 'elementoseliminados', 'cestino', 'postaeliminata', 'verwijderdeitems', 'prullenbak', 'lixeira', 'itensexcluídos', 'papperskorgen']],
      ['\\Junk', ['junk', 'spam', 'junkemail', 'junkmail', 'bulkmail', 'courrierindésirable', 'pourriel', 'spamverdacht', 'correonodeseado', 'postaindesiderata', 'ongewenstee-mail', 'ongewensteemail', 'skräppost']],
      ['\\Archive', ['archive', 'archives', 'archiv', 'archivo', 'archivio', 'archief', 'arkiv', 'arquivo']],
    ] as const
  ).flatMap(([use, names]) => names.map((n) => [n, use] as const)),
);

const NOT_SELECTABLE_FLAGS = new Set(['\\noselect', '\\nonexistent']);

const isInbox = (path: string): boolean => path.toUpperCase() === 'INBOX';

/** String.search ignores `lastIndex` and the g flag, so shared RegExp objects stay untouched. */
const matches = (re: RegExp, text: string): boolean => text.search(re) !== -1;

const startsWithCi = (text: string, prefix: string): boolean => text.slice(0, prefix.length).toUpperCase() === prefix.toUpperCase();

/** `INBOX` + delimiter when every folder but INBOX lives below it (Courier-style namespace), else ''. */
export function detectPrefix(folders: readonly FolderData[], delimiter: string): string {
  if (delimiter === '') return '';
  const prefix = `INBOX${delimiter}`;
  const others = folders.filter((f) => !isInbox(f.path));
  if (others.length === 0 || !others.every((f) => startsWithCi(f.path, prefix) && f.path.length > prefix.length)) return '';
  return prefix;
}

/** The special use a folder name suggests (automap), for top-level folders only. */
export function guessSpecialUse(path: string, prefix: string, delimiter: string): SpecialUse | null {
  const relative = prefix !== '' && startsWithCi(path, prefix) ? path.slice(prefix.length) : path;
  if (isInbox(relative) || (delimiter !== '' && relative.includes(delimiter))) return null;
  const key = relative.normalize('NFC').toLowerCase().replace(/[\s._-]+/g, '');
  return AUTOMAP_NAMES[key] ?? null;
}

/** Maps source folders to target folders; see the module comment for the rules. */
export function buildFolderMap(source: readonly FolderData[], target: readonly FolderData[], options: FolderMapOptions): FolderMapResult {
  const warnings: string[] = [];
  const sourcePrefix = options.sourcePrefix ?? detectPrefix(source, options.sourceDelimiter);
  const targetPrefix = options.targetPrefix ?? detectPrefix(target, options.targetDelimiter);

  const wanted = options.folders === null ? null : new Set(options.folders.map((p) => (isInbox(p) ? 'INBOX' : p)));
  if (wanted !== null) {
    const present = new Set(source.map((f) => (isInbox(f.path) ? 'INBOX' : f.path)));
    for (const p of wanted) if (!present.has(p)) warnings.push(`folder "${p}" given with --folder does not exist on the source`);
  }

  const byUse = (use: SpecialUse): FolderData | undefined => {
    const candidates = target.filter((f) => f.specialUse === use);
    return candidates.find((f) => f.selectable) ?? candidates[0];
  };
  const byGuess = (use: SpecialUse): FolderData | undefined =>
    target.find((f) => f.selectable && guessSpecialUse(f.path, targetPrefix, options.targetDelimiter) === use);
  const targetByPath = new Map(target.map((f) => [isInbox(f.path) ? 'INBOX' : f.path, f]));

  const mappings: FolderMapping[] = [];
  for (const folder of source) {
    const path = folder.path;
    const key = isInbox(path) ? 'INBOX' : path;
    if (wanted !== null && !wanted.has(key)) continue;
    if (options.include.length > 0 && !options.include.some((re) => matches(re, path))) continue;
    if (options.exclude.some((re) => matches(re, path))) continue;

    const selectable = folder.selectable && !folder.flags.some((f) => NOT_SELECTABLE_FLAGS.has(f.toLowerCase()));
    const mapping = mapOne(folder, selectable);
    mappings.push(mapping);
    const existing = targetByPath.get(isInbox(mapping.target) ? 'INBOX' : mapping.target);
    if (selectable && existing !== undefined && !existing.selectable) {
      warnings.push(`"${path}" maps to "${mapping.target}", which exists on the target but cannot hold messages (\\Noselect)`);
    }
    if (folder.specialUse === '\\All' || folder.specialUse === '\\Flagged') {
      warnings.push(
        `"${path}" is ${folder.specialUse}, a virtual folder showing messages of other folders (RFC 6154 §2): copying it duplicates them on the target; exclude it unless that is wanted`,
      );
    }
  }

  warnings.push(...duplicateWarnings(mappings));
  return { mappings, warnings, sourcePrefix, targetPrefix };

  function mapOne(folder: FolderData, selectable: boolean): FolderMapping {
    if (isInbox(folder.path)) return renamed(folder.path, 'INBOX', null, selectable);
    const attribute = folder.specialUse !== null && MAPPED_USES.includes(folder.specialUse) ? folder.specialUse : null;
    const guessed = attribute === null && options.automap ? guessSpecialUse(folder.path, sourcePrefix, options.sourceDelimiter) : null;
    const use = attribute ?? guessed;
    if (use !== null && selectable) {
      const byAttribute = byUse(use);
      const found = byAttribute ?? (options.automap ? byGuess(use) : undefined);
      if (found !== undefined) {
        const reason = attribute !== null && byAttribute !== undefined ? 'special-use' : 'automap';
        return { source: folder.path, target: found.path, specialUse: use, reason, selectable };
      }
    }
    // No counterpart on the target: keep the name; the engine creates it (with CREATE-SPECIAL-USE,
    // RFC 6154 §3, where the target offers it).
    return renamed(folder.path, translateName(folder.path), use ?? folder.specialUse, selectable);
  }

  function translateName(path: string): string {
    const relative = sourcePrefix !== '' && startsWithCi(path, sourcePrefix) ? path.slice(sourcePrefix.length) : path;
    const segments = options.sourceDelimiter === '' ? [relative] : relative.split(options.sourceDelimiter);
    const td = options.targetDelimiter;
    const translated = segments.map((segment) => {
      if (td === '' || td === options.sourceDelimiter || !segment.includes(td)) return segment;
      const replaced = segment.split(td).join('_');
      warnings.push(`"${path}": the name part "${segment}" contains the target's hierarchy delimiter "${td}"; it becomes "${replaced}"`);
      return replaced;
    });
    // A child of INBOX on a source without prefix ("INBOX/Sub") must not become "INBOX.INBOX.Sub".
    const underInbox = segments.length > 1 && isInbox(segments[0] ?? '') && isInbox(targetPrefix.slice(0, 5));
    return (underInbox ? '' : targetPrefix) + translated.join(td);
  }

  function renamed(sourcePath: string, name: string, specialUse: SpecialUse | null, selectable: boolean): FolderMapping {
    let result = name;
    for (const rule of options.regexTrans) result = result.replace(rule.pattern, rule.replacement);
    if (result === '') {
      throw new AppError('FILTER_INVALID', `The rename rules turn folder "${sourcePath}" (target name "${name}") into an empty name`, {
        details: { folder: sourcePath },
      });
    }
    const reason = result === name ? 'name' : 'regex';
    return { source: sourcePath, target: isInbox(result) ? 'INBOX' : result, specialUse, reason, selectable };
  }
}

/** Two selectable source folders on one target: fine for the same special use, a warning otherwise. */
function duplicateWarnings(mappings: readonly FolderMapping[]): string[] {
  const groups = new Map<string, FolderMapping[]>();
  for (const m of mappings) {
    if (!m.selectable) continue;
    const key = isInbox(m.target) ? 'INBOX' : m.target;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const warnings: string[] = [];
  for (const [target, group] of groups) {
    if (group.length < 2) continue;
    const first = group[0]?.specialUse ?? null;
    const sameUse = first !== null && group.every((m) => m.specialUse === first && (m.reason === 'special-use' || m.reason === 'automap'));
    if (sameUse) continue;
    warnings.push(`${group.map((m) => `"${m.source}"`).join(', ')} all map to target "${target}": their messages are merged there`);
  }
  return warnings;
}

/** POSIX bracket classes (Perl accepts them inside [...]; JS does not) and their JS equivalents. */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\s',
  blank: ' \\t',
  word: '\\w',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
  cntrl: '\\x00-\\x1F\\x7F',
  print: '\\x20-\\x7E',
  graph: '\\x21-\\x7E',
  ascii: '\\x00-\\x7F',
};

/**
 * Parses imapsync's `--regextrans2` Perl substitution `s/pattern/replacement/flags` (any non-bracket
 * delimiter, e.g. `s,^Sent$,Sent Items,`; flags `g` and `i`) into a JS RegExp and replacement string:
 * `$1`, `${1}` and `\1` become JS group references, `\A`/`\z`/`\Z` anchors and `[:alpha:]`-style classes
 * are translated, a literal `$` is escaped. FILTER_INVALID for anything else.
 */
export function parseRegexTrans(spec: string): RegexTrans {
  const fail = (why: string, cause?: unknown): AppError =>
    new AppError('FILTER_INVALID', `Rename rule ${JSON.stringify(spec)} is not a valid s/pattern/replacement/flags: ${why}`, {
      details: { rule: spec },
      ...(cause === undefined ? {} : { cause }),
    });
  const trimmed = spec.trim();
  if (!trimmed.startsWith('s') || trimmed.length < 4) throw fail('it must start with "s" and a delimiter, as in s/old/new/');
  const delim = trimmed.charAt(1);
  if (/[\p{L}\p{N}\s\\]/u.test(delim) || '({[<'.includes(delim)) throw fail(`"${delim}" cannot be the delimiter; use "/" or ","`);

  // Split at unescaped delimiters, keeping escapes for the later passes.
  const parts: string[] = [];
  let current = '';
  let i = 2;
  for (; i < trimmed.length && parts.length < 2; i++) {
    const ch = trimmed.charAt(i);
    if (ch === '\\' && i + 1 < trimmed.length) {
      current += ch + trimmed.charAt(i + 1);
      i++;
    } else if (ch === delim) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (parts.length < 2) throw fail(`expected three "${delim}" delimiters`);
  const flags = trimmed.slice(i);
  if (!/^[gi]*$/.test(flags) || new Set(flags).size !== flags.length) throw fail(`flags "${flags}" not supported (only g and i)`);
  const [rawPattern = '', rawReplacement = ''] = parts;
  if (rawPattern === '') throw fail('the pattern is empty');

  let pattern: RegExp;
  try {
    pattern = new RegExp(convertPattern(rawPattern, delim), flags);
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err), err);
  }
  const replacement = convertReplacement(rawReplacement, delim);
  if (replacement === null) throw fail('case modifiers (\\U \\L \\u \\l \\E \\Q) are not supported');
  return { pattern, replacement };
}

function convertPattern(raw: string, delim: string): string {
  const withPosix = raw.replace(/\[:(\^?)([a-z]+):\]/g, (whole, negated: string, name: string) => {
    const js = POSIX_CLASSES[name];
    if (js === undefined || negated !== '') throw new SyntaxError(`POSIX class ${whole} not supported`);
    return js;
  });
  let out = '';
  for (let i = 0; i < withPosix.length; i++) {
    const ch = withPosix.charAt(i);
    if (ch !== '\\' || i + 1 >= withPosix.length) {
      out += ch;
      continue;
    }
    const next = withPosix.charAt(++i);
    if (next === delim) out += /[\^$.*+?()[\]{}|/-]/.test(delim) ? `\\${delim}` : delim;
    else if (next === 'A') out += '^';
    else if (next === 'z' || next === 'Z') out += '$';
    else out += `\\${next}`;
  }
  return out;
}

/** Perl replacement (a double-quoted string) → JS replacement pattern; null on unsupported escapes. */
function convertReplacement(raw: string, delim: string): string | null {
  const group = (n: string): string => `$${n.length === 1 ? `0${n}` : n}`;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charAt(i);
    const rest = raw.slice(i + 1);
    if (ch === '\\' && rest !== '') {
      const next = rest.charAt(0);
      i++;
      if (/[ULulEQ]/.test(next)) return null;
      if (/[1-9]/.test(next)) out += group(next);
      else if (next === 't') out += '\t';
      else if (next === '$') out += '$$';
      else out += next === delim ? delim : next;
      continue;
    }
    if (ch === '$') {
      const braced = /^\{(\d{1,2})\}/.exec(rest);
      const plain = /^(\d{1,2})/.exec(rest);
      if (braced?.[1] !== undefined) {
        out += group(braced[1]);
        i += braced[0].length;
      } else if (plain?.[1] !== undefined) {
        out += group(plain[1]);
        i += plain[1].length;
      } else if (rest.startsWith('&')) {
        out += '$&';
        i++;
      } else {
        out += '$$';
      }
      continue;
    }
    out += ch;
  }
  return out;
}
