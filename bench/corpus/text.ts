/**
 * Building blocks of generated mail text: a pool of CRLF-terminated lines (plain English-like prose,
 * a share of UTF-8 lines in other scripts for the utf-8 pool), names, subjects, and an exact-length
 * filler. Everything is fixed at load time from a constant seed, so bodies are deterministic.
 */
import { pick, randomFor, randomInt } from './prng.ts';
import type { Random } from './prng.ts';

const WORDS = (
  'the of and to in is for on that with as this be are we will by at from your our have an it not or can ' +
  'meeting project contract invoice report budget review schedule deadline update please thanks regards ' +
  'attached draft final version team client agreement pricing delivery quarter forecast numbers call ' +
  'tomorrow monday friday week month next last agenda notes minutes action items follow up question ' +
  'answer proposal approval legal finance sales marketing product release server migration mailbox ' +
  'account password folder message calendar office travel hotel flight booking confirmation receipt ' +
  'payment order shipping customer support ticket issue resolved pending status summary details ' +
  'comments changes section page table figure data analysis results plan risk cost estimate'
).split(' ');

/** Non-ASCII lines: German, French, Spanish, Polish, Russian, Greek, Japanese, emoji (4-byte UTF-8). */
const UTF8_LINES = [
  'Grüße aus München, die Übergabe ist für Donnerstag geplant.',
  'Merci beaucoup pour votre réponse rapide, à très bientôt !',
  'El envío llegará mañana por la tarde, según el señor Núñez.',
  'Zażółć gęślą jaźń — proszę o potwierdzenie terminu.',
  'Спасибо, договор подписан и отправлен сегодня утром.',
  'Καλημέρα, η συνάντηση μεταφέρθηκε για την Τρίτη.',
  '会議は来週の火曜日に変更になりました。よろしくお願いします。',
  'Thanks for the update 👍 see you at the offsite 🎉',
];

/** Subjects for the RFC 2047 encoded-word case (short enough for one encoded word, RFC 2047 §2). */
export const UTF8_SUBJECTS = [
  'Übergabe Büro München', 'Réunion de l’équipe', 'Año nuevo, presupuesto', 'Счёт за сентябрь',
  '会議の議事録', 'Zażółć: termin', 'Café & croissants ☕', 'Προσφορά 2024',
];

export interface Person {
  /** Display name; non-ASCII names are sent as RFC 2047 encoded words. */
  name: string;
  address: string;
}

const FIRST = ['Anna', 'Ben', 'Chloé', 'David', 'Eva', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jan', 'Kofi', 'Lena', 'Marta', 'Noah', 'Olga', 'Pedro', 'Zoë', 'José'];
const LAST = ['Schmidt', 'Nguyen', 'Dubois', 'Okafor', 'Kowalski', 'Tanaka', 'Núñez', 'Smith', 'Rossi', 'Berg', 'Müller', 'Lee'];
const DOMAINS = ['example.com', 'example.org', 'acme.example', 'partner.example.net', 'mail.example'];

function ascii(text: string): string {
  return text.normalize('NFD').replace(/[^\x20-\x7e]/g, '').toLowerCase();
}

export const PEOPLE: Person[] = (() => {
  const random = randomFor(0x7e57, 1);
  return Array.from({ length: 80 }, (_, i) => {
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    return { name: `${first} ${last}`, address: `${ascii(first)}.${ascii(last)}${i}@${pick(random, DOMAINS)}` };
  });
})();

export function subjectWords(random: Random): string {
  const words = Array.from({ length: randomInt(random, 2, 7) }, () => pick(random, WORDS));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Lines of 30–72 characters of prose, and an empty line (paragraph break) every few lines. */
function buildPool(utf8: boolean): Buffer[] {
  const random = randomFor(0x7e57, utf8 ? 3 : 2);
  const lines: Buffer[] = [];
  for (let i = 0; i < 4096; i++) {
    if (random() < 0.15) {
      lines.push(Buffer.from('\r\n'));
      continue;
    }
    if (utf8 && random() < 0.2) {
      lines.push(Buffer.from(`${pick(random, UTF8_LINES)}\r\n`, 'utf8'));
      continue;
    }
    const target = randomInt(random, 30, 72);
    let line = pick(random, WORDS);
    line = line.charAt(0).toUpperCase() + line.slice(1);
    for (;;) {
      const word = pick(random, WORDS);
      if (line.length + 1 + word.length > target) break;
      line += ` ${word}`;
    }
    lines.push(Buffer.from(`${line}.\r\n`, 'latin1'));
  }
  return lines;
}

const ASCII_POOL = buildPool(false);
const UTF8_POOL = buildPool(true);
/** Plain ASCII used for exact-length filler lines (any slice is valid text, no multi-byte split). */
const FILLER = Buffer.from(ASCII_POOL.map((l) => l.toString('latin1').replace(/\r\n/g, ' ')).join(''), 'latin1');
const CRLF = Buffer.from('\r\n');
/** RFC 5322 §2.1.1 recommends ≤ 78 characters per line; filler lines stay at 76. */
const FILLER_LINE = 76;

/**
 * Exactly `bytes` bytes of text, every line ending in CRLF (bytes must be 0 or ≥ 2): whole pool
 * lines from a random start, then ASCII filler lines cut to fit.
 */
export function textOfLength(bytes: number, random: Random, utf8: boolean): Buffer[] {
  if (bytes !== 0 && bytes < 2) throw new Error(`textOfLength: ${bytes} bytes cannot end in CRLF`);
  const pool = utf8 ? UTF8_POOL : ASCII_POOL;
  const out: Buffer[] = [];
  let left = bytes;
  let at = Math.floor(random() * pool.length);
  // Whole lines while one fits and leaves 0 or ≥ 2 bytes (room for at least an empty line).
  for (;;) {
    const line = pool[at % pool.length]!;
    if (line.length === left || line.length <= left - 2 - FILLER_LINE) {
      out.push(line);
      left -= line.length;
      at++;
      if (left === 0) return out;
      continue;
    }
    break;
  }
  let offset = Math.floor(random() * (FILLER.length - FILLER_LINE));
  while (left > 0) {
    let chars = Math.min(FILLER_LINE, left - 2);
    // Never leave a single byte: it could not hold a CRLF.
    if (left - chars - 2 === 1) chars--;
    const slice = FILLER.subarray(offset, offset + chars);
    out.push(slice, CRLF);
    left -= chars + 2;
    offset = (offset + chars) % (FILLER.length - FILLER_LINE);
  }
  return out;
}
