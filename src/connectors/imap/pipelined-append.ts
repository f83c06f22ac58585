/**
 * Pipelined single APPENDs (RFC 3501 §5.5: a client may send another command without waiting for the
 * completion of the previous one) for servers without MULTIAPPEND: N messages, N APPEND commands,
 * written back to back as ONE ImapFlow request (raw-command.ts, `RawPipeline`):
 *
 *   T.1 APPEND "F" (\Seen) "date" {n1+}\r\n<bytes>\r\n
 *   T.2 APPEND "F" () "date" {n2+}\r\n<bytes>\r\n
 *   T APPEND "F" () "date" {n3+}\r\n<bytes>\r\n          ← ImapFlow's own tag, answered last
 *
 * Each message stays its own command, so one refused message fails alone (unlike MULTIAPPEND, where
 * one bad message refuses the batch, RFC 3502 §6.3.11). Sub-tags are valid tags (RFC 3501 §9 `tag`).
 *
 * - With LITERAL+ (RFC 7888 §4), or LITERAL- and messages up to 4,096 octets, every literal is
 *   non-synchronizing: the whole request is written at once and costs ONE round trip. A server must
 *   read a non-synchronizing literal even of a command it refuses (RFC 7888 §4), so a refusal does
 *   not desynchronise the stream.
 * - With a synchronizing literal the client must wait for the server's `+` before sending it
 *   (RFC 3501 §7.5). On `+` for command k we write literal k, its CRLF and at once the header of
 *   command k+1: each message costs one round trip (the `+`), not two (no wait for the tagged OK).
 *   The server may instead refuse command k with a tagged NO before any `+` (Dovecot does so for a
 *   missing folder `[TRYCREATE]`, a message over `quota_max_mail_size` `[LIMIT]`, and an empty
 *   message). Then literal k must NOT be sent: the command is over, and the next thing on the wire
 *   is the header of command k+1. Only one synchronizing command is ever waiting, so the answer to
 *   exactly that command while it waits means "refused before `+`".
 */
import type { ImapFlow } from 'imapflow';
import type { AppError } from '../../core/app-error.ts';
import { parseAppendUid } from './append.ts';
import { isServerRefusal, mapImapError } from './map-imap-error.ts';
import { appendMessageArgs, isNonSynchronizing, type LiteralMode } from './raw-append.ts';
import { execRawPipeline, type RawPipeline, type RawWriter } from './raw-command.ts';
import type { AppendItem, AppendItemResult } from './types.ts';

/** One APPEND of the pipeline, without its tag. */
export interface PipelinedCommand {
  /** `APPEND "F" (flags) "date-time" {n}` or `{n+}`, with its CRLF; ASCII (or UTF-8 under UTF8=ACCEPT). */
  readonly header: string;
  readonly literal: Buffer;
  /** True when the literal waits for the server's `+` (RFC 3501 §7.5). */
  readonly sync: boolean;
}

/** A tagged status response (RFC 3501 §7.1), split into its parts. */
export interface TaggedAnswer {
  readonly tag: string;
  readonly status: 'OK' | 'NO' | 'BAD';
  /** Response code atoms, the first upper-cased (`['APPENDUID', '38505', '3955']`); empty without one. */
  readonly code: readonly string[];
  readonly text: string;
}

/** What the pipelined request gave: one entry per item, in order. */
export interface PipelinedAppendData {
  readonly uidValidity: bigint | null;
  readonly results: readonly AppendItemResult[];
}

// tag = 1*<ASTRING-CHAR except "+"> (RFC 3501 §9); `*` starts an untagged response.
const TAGGED = /^([^\s+*][^\s+]*) (OK|NO|BAD)(?= |$)(?: \[([^\]]*)\])? ?(.*)$/is;
const CRLF = '\r\n';

/** The commands for `items`; literals non-synchronizing where `mode` allows (RFC 7888). */
export function buildPipelinedCommands(quotedMailbox: string, items: readonly AppendItem[], mode: LiteralMode): PipelinedCommand[] {
  return items.map((item) => {
    const sync = !isNonSynchronizing(mode, item.content.length);
    return { header: `APPEND ${quotedMailbox}${appendMessageArgs(item, !sync)}`, literal: item.content, sync };
  });
}

/** A tagged status line (without CRLF), or null when it is not one. */
export function parseTaggedLine(line: Buffer): TaggedAnswer | null {
  const m = TAGGED.exec(line.toString('utf8'));
  if (!m) return null;
  const code = m[3] === undefined ? [] : m[3].split(' ').filter((part) => part !== '');
  if (code.length > 0) code[0] = (code[0] as string).toUpperCase();
  return { tag: m[1] as string, status: (m[2] as string).toUpperCase() as TaggedAnswer['status'], code, text: (m[4] ?? '').trim() };
}

/**
 * The pipeline of `commands` as raw-command.ts drives it. `answers[k]` is filled when sub-command k
 * is answered; the last command's answer settles the ImapFlow request instead.
 */
export function createAppendPipeline(commands: readonly PipelinedCommand[], summary: string): { pipeline: RawPipeline; answers: (TaggedAnswer | undefined)[] } {
  const answers: (TaggedAnswer | undefined)[] = commands.map(() => undefined);
  const subTags = new Map<string, number>();
  let tags: string[] = [];
  /** Index of the next command whose header has not been written. */
  let next = 0;
  /** The synchronizing command whose header is written and whose literal waits for `+`, if any. */
  let waiting: number | null = null;

  /** Appends headers and literals from `next` on, up to and including the next synchronizing header. */
  const writeOn = (pieces: Buffer[]): Buffer[] => {
    let text = '';
    while (next < commands.length) {
      const k = next++;
      const command = commands[k] as PipelinedCommand;
      text += `${tags[k]} ${command.header}`;
      if (command.sync) {
        waiting = k;
        break;
      }
      pieces.push(Buffer.from(text, 'utf8'), command.literal);
      text = CRLF;
    }
    if (text !== '') pieces.push(Buffer.from(text, 'utf8'));
    return pieces;
  };

  const pipeline: RawPipeline = {
    summary,
    start(tag: string, out: RawWriter): void {
      tags = commands.map((_, k) => (k === commands.length - 1 ? tag : `${tag}.${k + 1}`));
      tags.slice(0, -1).forEach((subTag, k) => subTags.set(subTag, k));
      out.write(writeOn([]));
    },
    continuation(out: RawWriter): void {
      // A `+` when no literal waits (a confused server) is ignored: writing anything would desync.
      if (waiting === null) return;
      const literal = (commands[waiting] as PipelinedCommand).literal;
      waiting = null;
      out.write(writeOn([literal, Buffer.from(CRLF)]));
    },
    tagged(line: Buffer, out: RawWriter): boolean {
      const answer = parseTaggedLine(line);
      const k = answer ? subTags.get(answer.tag) : undefined;
      if (!answer || k === undefined) return false;
      if (answers[k] === undefined) answers[k] = answer;
      // Answered while its literal waited for `+`: refused before `+` (RFC 3501 §7.5). The literal
      // is never sent; the next command's header goes out now.
      if (waiting === k) {
        waiting = null;
        out.write(writeOn([]));
      }
      return true;
    },
  };
  return { pipeline, answers };
}

/** The shape of an ImapFlow command error, so that `mapImapError` maps a sub-command's NO/BAD exactly as a single APPEND's. */
function answerError(answer: TaggedAnswer): Record<string, unknown> {
  const err: Record<string, unknown> = { message: 'Command failed', responseStatus: answer.status, responseText: answer.text || undefined, serverResponseCode: answer.code[0] };
  // Microsoft 365 throttles with `BAD Request is throttled. Suggested Backoff Time: N milliseconds`;
  // ImapFlow marks that ETHROTTLE for its own commands, so a sub-command's is marked the same way.
  const backoff = /Request is throttled.*Backoff Time[:=\s]+(\d+)/i.exec(answer.text);
  if (backoff) Object.assign(err, { code: 'ETHROTTLE', throttleReset: Number(backoff[1]) });
  return err;
}

/** One item's result from its sub-command's answer. */
function resultOf(answer: TaggedAnswer, path: string): { result: AppendItemResult; uidValidity: bigint | null } {
  if (answer.status !== 'OK') return { result: { error: mapImapError(answerError(answer), { operation: 'append', path }) }, uidValidity: null };
  const appendUid = parseAppendUid({ tag: answer.tag, command: 'OK', attributes: [{ type: 'ATOM', section: answer.code.map((value) => ({ type: 'ATOM', value })) }] });
  return { result: { uid: appendUid?.uids.length === 1 ? (appendUid.uids[0] ?? null) : null }, uidValidity: appendUid?.uidValidity ?? null };
}

/**
 * Appends `items` (two or more) to the folder `quotedMailbox` (`path` for errors) as pipelined single
 * APPENDs in one request. Never throws for an item: a refused message, or a connection lost before
 * an item was answered, is that item's error (the latter transient: the item may or may not be
 * stored, and the engine keeps it in doubt).
 */
export async function pipelinedAppend(
  client: ImapFlow,
  mode: LiteralMode,
  quotedMailbox: string,
  path: string,
  items: readonly AppendItem[],
): Promise<PipelinedAppendData> {
  const commands = buildPipelinedCommands(quotedMailbox, items, mode);
  const bytes = items.reduce((n, item) => n + item.content.length, 0);
  const { pipeline, answers } = createAppendPipeline(commands, `APPEND ${quotedMailbox} (${items.length} pipelined commands, ${bytes} octets, literals ${mode})`);
  let last: AppendItemResult | undefined;
  let uidValidity: bigint | null = null;
  let requestError: unknown = null;
  try {
    const response = await execRawPipeline(client, 'APPEND', pipeline);
    const appendUid = parseAppendUid(response);
    uidValidity = appendUid?.uidValidity ?? null;
    last = { uid: appendUid?.uids.length === 1 ? (appendUid.uids[0] ?? null) : null };
  } catch (err) {
    requestError = err;
    if (isServerRefusal(err)) last = { error: mapImapError(err, { operation: 'append', path }) };
  }
  // Without an answer an item may or may not be stored. A lost connection says why; a server that
  // answered the last command but not an earlier one (never seen) broke the order RFC 3501 §5.5 implies.
  let unanswered: AppError | null = null;
  const unansweredError = (): AppError => {
    unanswered ??= requestError !== null && !isServerRefusal(requestError)
      ? mapImapError(requestError, { operation: 'append', path })
      : mapImapError(Object.assign(new Error('No answer to a pipelined APPEND'), { code: 'InvalidResponse' }), { operation: 'append', path });
    return unanswered;
  };
  const results = items.map((_, k): AppendItemResult => {
    if (k === items.length - 1) return last ?? { error: unansweredError() };
    const answer = answers[k];
    if (!answer) return { error: unansweredError() };
    const one = resultOf(answer, path);
    uidValidity ??= one.uidValidity;
    return one.result;
  });
  return { uidValidity, results };
}
