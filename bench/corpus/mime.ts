/**
 * One generated message of exactly its planned size: RFC 5322 headers (Date, From, To, Subject,
 * Message-ID, MIME-Version …), then text/plain, multipart/alternative (plain + HTML) or
 * multipart/mixed with a base64 attachment (RFC 2045 §6.8: 76-character lines). Every line ends
 * in CRLF (RFC 5322 §2.1); non-ASCII appears as RFC 2047 encoded words in headers and as 8bit UTF-8
 * in bodies (RFC 6152 8BITMIME-style content, which IMAP APPEND accepts as is).
 */
import { createCipheriv } from 'node:crypto';
import { BODY_STREAM } from './plan.ts';
import type { MessagePlan } from './plan.ts';
import { hash32, pick, randomFor, randomInt } from './prng.ts';
import type { Random } from './prng.ts';
import type { CorpusSpec } from './spec.ts';
import { PEOPLE, UTF8_SUBJECTS, subjectWords, textOfLength } from './text.ts';
import type { Person } from './text.ts';

/** Above this size most messages carry an attachment, as real mail does. */
const ATTACHMENT_FROM_BYTES = 24 * 1024;
const ALTERNATIVE_FROM_BYTES = 2600;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ZONES = [0, 60, 120, -300, -240, 330, 540, -480];
const MAILERS = ['Microsoft Outlook 16.0', 'Apple Mail (2.3731)', 'Mozilla Thunderbird 115.9', 'Roundcube Webmail 1.6'];
const ATTACHMENTS: ReadonlyArray<readonly [string, string]> = [
  ['application/pdf', 'report-%.pdf'],
  ['image/jpeg', 'IMG_%.jpg'],
  ['application/zip', 'files-%.zip'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'budget-%.xlsx'],
];

/** RFC 5322 §3.3 date-time in the sender's zone. */
function rfc5322Date(date: Date, zoneMinutes: number): string {
  const local = new Date(date.getTime() + zoneMinutes * 60_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const sign = zoneMinutes < 0 ? '-' : '+';
  const zone = `${sign}${p(Math.floor(Math.abs(zoneMinutes) / 60))}${p(Math.abs(zoneMinutes) % 60)}`;
  return `${DAYS[local.getUTCDay()]}, ${p(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())} ${zone}`;
}

/** RFC 2047 §4.1 "B" encoded word when the text is not ASCII. */
function encodeWord(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function mailbox(person: Person): string {
  const name = /^[A-Za-z ]*$/.test(person.name) ? `"${person.name}"` : encodeWord(person.name);
  return `${name} <${person.address}>`;
}

/** Message-ID left part: corpus name, index and a hash, unique per message and per corpus. */
export function messageId(spec: CorpusSpec, index: number): string {
  const tag = hash32(spec.seed, index).toString(16).padStart(8, '0');
  return `<${spec.name}.${index}.${tag}@bench.cutover.test>`;
}

function headerBlock(spec: CorpusSpec, plan: MessagePlan, random: Random, contentLines: string[]): Buffer {
  const from = pick(random, PEOPLE);
  const to = Array.from({ length: randomInt(random, 1, 3) }, () => pick(random, PEOPLE));
  const cc = random() < 0.3 ? [pick(random, PEOPLE)] : [];
  const zone = pick(random, ZONES);
  // Sent a little before it arrived (INTERNALDATE is the arrival).
  const sent = new Date(plan.internalDate.getTime() - randomInt(random, 2, 600) * 1000);
  const reply = random() < 0.35 && plan.index > 0;
  const subject = random() < 0.12 ? pick(random, UTF8_SUBJECTS) : subjectWords(random);
  const lines = [
    `Return-Path: <${from.address}>`,
    `Received: from mail.${from.address.split('@')[1] ?? 'example.com'} (mail.example [192.0.2.${randomInt(random, 1, 254)}])`,
    `\tby mx.bench.cutover.test with ESMTPS id ${hash32(spec.seed, plan.index, 7).toString(36)};`,
    `\t${rfc5322Date(plan.internalDate, 0)}`,
    `Date: ${rfc5322Date(sent, zone)}`,
    `From: ${mailbox(from)}`,
    `To: ${to.map(mailbox).join(',\r\n\t')}`,
    ...(cc.length > 0 ? [`Cc: ${cc.map(mailbox).join(', ')}`] : []),
    `Subject: ${reply ? 'Re: ' : ''}${encodeWord(subject)}`,
    `Message-ID: ${messageId(spec, plan.index)}`,
    ...(reply ? [`In-Reply-To: ${messageId(spec, plan.index - 1)}`, `References: ${messageId(spec, plan.index - 1)}`] : []),
    ...(random() < 0.6 ? [`X-Mailer: ${pick(random, MAILERS)}`] : []),
    'MIME-Version: 1.0',
    ...contentLines,
  ];
  return Buffer.from(lines.map((l) => `${l}\r\n`).join('') + '\r\n', 'utf8');
}

/** Exact byte length of `raw` bytes as base64 in 76-character CRLF lines. */
function base64Length(raw: number): number {
  const chars = 4 * Math.ceil(raw / 3);
  return chars + 2 * Math.ceil(chars / 76);
}

/** The largest raw size whose base64 fits `budget` bytes; a multiple of 3 so no '=' padding is needed. */
function rawBytesFitting(budget: number): number {
  const fullLines = Math.floor(budget / 78);
  const rest = budget - fullLines * 78;
  const lastChars = rest >= 6 ? Math.floor((rest - 2) / 4) * 4 : 0;
  return fullLines * 57 + (lastChars / 4) * 3;
}

const RAW_CHUNK = 57 * 4096;

/** Pseudo-random attachment bytes (AES-128-CTR keystream: fast, deterministic) as base64 lines. */
function base64Attachment(spec: CorpusSpec, index: number, raw: number): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32BE(hash32(spec.seed, index, 11), 0);
  key.writeUInt32BE(hash32(spec.seed, index, 12), 4);
  key.writeUInt32BE(hash32(spec.seed, index, 13), 8);
  key.writeUInt32BE(hash32(spec.seed, index, 14), 12);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const out = Buffer.allocUnsafe(base64Length(raw));
  const zeros = Buffer.alloc(Math.min(RAW_CHUNK, raw));
  let written = 0;
  for (let done = 0; done < raw; done += RAW_CHUNK) {
    const n = Math.min(RAW_CHUNK, raw - done);
    // Chunks are whole 57-byte lines (but the last), so each encodes to whole 76-character lines.
    const encoded = Buffer.from(cipher.update(zeros.subarray(0, n)).toString('base64'), 'latin1');
    for (let at = 0; at < encoded.length; at += 76) {
      written += encoded.copy(out, written, at, Math.min(at + 76, encoded.length));
      out[written++] = 0x0d;
      out[written++] = 0x0a;
    }
  }
  if (written !== out.length) throw new Error(`base64Attachment: wrote ${written} of ${out.length} bytes`);
  return out;
}

type Kind = 'plain' | 'alternative' | 'mixed';

function chooseKind(plan: MessagePlan, random: Random): Kind {
  const u = random();
  if (plan.tail || (plan.bytes >= ATTACHMENT_FROM_BYTES && u < 0.85)) return 'mixed';
  if (plan.bytes >= ALTERNATIVE_FROM_BYTES && u < 0.4) return 'alternative';
  return 'plain';
}

function textHeaders(utf8: boolean, type = 'text/plain'): string[] {
  return [`Content-Type: ${type}; charset=${utf8 ? 'utf-8' : 'us-ascii'}`, `Content-Transfer-Encoding: ${utf8 ? '8bit' : '7bit'}`];
}

/**
 * The message's bytes, exactly `plan.bytes` long. Throws if the size is too small for the structure
 * (the plan's MIN_MESSAGE_BYTES prevents that).
 */
export function buildMessage(spec: CorpusSpec, plan: MessagePlan): Buffer {
  const random = randomFor(spec.seed, plan.index, BODY_STREAM);
  let kind = chooseKind(plan, random);
  const utf8 = random() < 0.3;
  const boundary = `----=_Part_${plan.index}_${hash32(spec.seed, plan.index, 3).toString(16)}`;
  const [type, name] = pick(random, ATTACHMENTS);
  const fileName = name.replace('%', String(plan.index));
  const text = (bytes: number): Buffer[] => textOfLength(bytes, random, utf8);
  // Headers draw from their own stream, so a fallback to a simpler structure keeps them the same.
  const headerRandom = (): Random => randomFor(spec.seed, plan.index, BODY_STREAM, 1);

  const build = (k: Kind): Buffer[] | undefined => {
    if (k === 'plain') {
      const header = headerBlock(spec, plan, headerRandom(), textHeaders(utf8));
      const left = plan.bytes - header.length;
      return left >= 2 ? [header, ...text(left)] : undefined;
    }
    const header = headerBlock(spec, plan, headerRandom(), [`Content-Type: multipart/${k}; boundary="${boundary}"`]);
    const preamble = Buffer.from(`This is a multi-part message in MIME format.\r\n--${boundary}\r\n${textHeaders(utf8).join('\r\n')}\r\n\r\n`, 'utf8');
    const between = k === 'alternative'
      ? `--${boundary}\r\n${textHeaders(utf8, 'text/html').join('\r\n')}\r\n\r\n<html><body>\r\n`
      : `--${boundary}\r\nContent-Type: ${type}; name="${fileName}"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="${fileName}"\r\n\r\n`;
    const closing = `${k === 'alternative' ? '</body></html>\r\n' : ''}--${boundary}--\r\n`;
    const fixed = header.length + preamble.length + Buffer.byteLength(between) + closing.length;
    const body = plan.bytes - fixed;
    if (k === 'alternative') {
      if (body < 200) return undefined;
      const first = Math.floor(body * 0.45);
      return [header, preamble, ...text(first), Buffer.from(between), ...text(body - first), Buffer.from(closing)];
    }
    const textBytes = Math.min(randomInt(random, 300, 3000), Math.floor(body / 4));
    const raw = rawBytesFitting(body - textBytes);
    if (textBytes < 100 || raw < 300) return undefined;
    const attachment = base64Attachment(spec, plan.index, raw);
    return [header, preamble, ...text(body - attachment.length), Buffer.from(between), attachment, Buffer.from(closing)];
  };

  let parts = build(kind);
  // A size too small for the chosen structure falls back to a simpler one.
  while (parts === undefined && kind !== 'plain') {
    kind = kind === 'mixed' ? 'alternative' : 'plain';
    parts = build(kind);
  }
  if (parts === undefined) throw new Error(`buildMessage: ${plan.bytes} bytes is too small for message ${plan.index}`);
  const message = Buffer.concat(parts);
  if (message.length !== plan.bytes) throw new Error(`buildMessage: message ${plan.index} came out ${message.length} bytes, planned ${plan.bytes}`);
  return message;
}
