/**
 * Commands whose bytes Cutover writes itself, and untagged responses Cutover reads itself, while
 * ImapFlow keeps the connection: its command queue, tags, tagged responses, `+` continuations,
 * errors, compression and TLS.
 *
 * Why: the two commands that carry the mail — APPEND on the target and `UID FETCH (BODY.PEEK[])` on
 * the source — were the largest CPU cost of a pass inside ImapFlow 2.1.2: it compiles every command
 * twice (once for its log), compiles every *response* again just to log it (even with logging off),
 * copies every literal into one buffer, and never uses LITERAL+ for literals over 4,096 octets, so each
 * larger message waited one network round trip (docs/benchmarks.md has the profiles).
 *
 * How: ImapFlow dispatches a queued command through its internal `send()` and hands each response to
 * its internal `handleResponse()`. A per-client wrapper of each (installed once) takes over only the
 * commands queued with a `raw` plan: `send()` writes the plan's pieces without copying them, and while
 * such a command is in flight its `untagged` reader sees each untagged response first and may consume
 * it. Anything it does not consume goes to ImapFlow as before. Both methods are marked @internal in
 * ImapFlow; the version is pinned (docs/dependencies.md) and the integration tests exercise this path.
 *
 * A `RawPipeline` goes further: one ImapFlow request that carries several commands (RFC 3501 §5.5),
 * e.g. pipelined APPENDs (pipelined-append.ts). The pipeline writes every byte itself, tags included
 * (its sub-commands get their own tags; the last one carries ImapFlow's, so ImapFlow settles the
 * request when the last answer comes), and it sees every `+` continuation and every tagged response
 * of its sub-commands. ImapFlow's own continuation queue (`commandParts`) is not used for it, so
 * nothing ImapFlow does on a `+` or on the final answer can write a leftover piece.
 */
import type { ImapFlow } from 'imapflow';
import type { UntaggedHandler, WireResponse } from './imap-wire.ts';

/** Bytes of one command after its tag: segment 0 at once, each later one after a `+` (RFC 3501 §7.5). */
export interface RawPlan {
  readonly segments: readonly (readonly Buffer[])[];
  /** For ImapFlow's debug log: never message content. */
  readonly summary: string;
  /**
   * Sees every untagged response (`* …`) while this command is in flight: the line without its CRLF
   * (literal markers included) and the literals in order. Returns true when it consumed the response;
   * a returned promise holds the connection's reader until it settles (back-pressure).
   */
  readonly untagged?: (line: Buffer, literals: readonly Buffer[]) => boolean | Promise<boolean>;
}

/** Writes bytes of a pipeline's commands as they are: no CRLF is added (the pipeline writes its own). */
export interface RawWriter {
  write(pieces: readonly Buffer[]): void;
}

/**
 * Several commands sent as one ImapFlow request (see the top of this file). ImapFlow's reader calls
 * the hooks one response at a time, so the pipeline's state needs no locking.
 */
export interface RawPipeline {
  /** For ImapFlow's debug log: never message content. */
  readonly summary: string;
  /** Called once when ImapFlow dispatches the request, with its tag: writes the first commands. */
  start(tag: string, out: RawWriter): void;
  /** A `+` continuation request (RFC 3501 §7.5) while in flight; always consumed. */
  continuation(out: RawWriter): void;
  /**
   * A tagged response whose tag is not the request's own (the line without its CRLF). Returns true
   * when it answered one of the pipeline's sub-commands; false leaves it to ImapFlow (an unknown tag).
   */
  tagged(line: Buffer, out: RawWriter): boolean;
}

interface RawOptions {
  readonly raw?: RawPlan;
  readonly rawPipeline?: RawPipeline;
  readonly untagged?: Record<string, UntaggedHandler>;
}
interface SendData {
  readonly tag: string;
  readonly command: string;
  readonly options?: RawOptions;
}
interface StreamItem {
  readonly payload: Buffer;
  readonly literals: readonly Buffer[];
}
interface RawCapable {
  send(data: SendData): Promise<void>;
  handleResponse(data: StreamItem): Promise<boolean>;
  write(chunk: Buffer | string): void;
  commandParts: Buffer[];
  currentRequest: { tag: string; sent?: boolean; options?: RawOptions } | false;
  rawSensitiveCommand: boolean;
  writeSocket: { cork(): void; uncork(): void } | null;
  id: string;
  log: { debug(entry: object): void };
}
interface ExecCapable {
  exec(command: string, attributes: false, options: RawOptions): Promise<{ readonly response: WireResponse; readonly next: () => void }>;
}

const EMPTY = Buffer.alloc(0);
const STAR = 0x2a;
const PLUS = 0x2b;
const SPACE = 0x20;
const wrapped = new WeakSet<object>();

function ensureWrapped(client: ImapFlow): void {
  if (wrapped.has(client)) return;
  wrapped.add(client);
  const self = client as unknown as RawCapable;
  const originalSend = self.send.bind(self);
  const originalHandle = self.handleResponse.bind(self);

  // ImapFlow's write() adds CRLF whenever no command parts are queued; a pipeline writes its own, so
  // a placeholder stays queued for each write. Called from ImapFlow's reader, a failed write (the
  // socket closed) is only logged: ImapFlow's close path rejects the request.
  const pipelineWriter = (fromReader: boolean): RawWriter => ({
    write(pieces) {
      const socket = self.writeSocket;
      socket?.cork();
      try {
        for (const piece of pieces) {
          if (piece.length === 0) continue;
          self.commandParts = [EMPTY];
          self.write(piece);
        }
      } catch (err) {
        if (!fromReader) throw err;
        self.log.debug({ msg: 'pipelined write failed', err, cid: self.id });
      } finally {
        socket?.uncork();
      }
    },
  });

  self.send = async function sendRaw(data: SendData): Promise<void> {
    const pipeline = data.options?.rawPipeline;
    if (pipeline) {
      self.rawSensitiveCommand = false;
      self.log.debug({ src: 'c', msg: `${data.tag} ${pipeline.summary}`, cid: self.id });
      pipeline.start(data.tag, pipelineWriter(false));
      if (self.currentRequest && self.currentRequest.tag === data.tag) self.currentRequest.sent = true;
      return;
    }
    const plan = data.options?.raw;
    if (!plan) return originalSend(data);
    self.rawSensitiveCommand = false;
    self.log.debug({ src: 'c', msg: `${data.tag} ${plan.summary}`, cid: self.id });
    const [first = [], ...rest] = plan.segments;
    // ImapFlow's write() adds the command's CRLF only when no parts remain queued: keep a placeholder
    // queued while the first segment's pieces are written one by one (no concatenation, no copy).
    self.commandParts = [EMPTY];
    const socket = self.writeSocket;
    socket?.cork();
    try {
      self.write(`${data.tag} `);
      for (const piece of first) self.write(piece);
      // Later segments are sent by ImapFlow's reader, one per `+` continuation; the last gets the CRLF.
      self.commandParts = rest.map((segment) => (segment.length === 1 ? (segment[0] as Buffer) : Buffer.concat(segment)));
      if (rest.length === 0) self.write(EMPTY);
    } finally {
      socket?.uncork();
    }
    if (self.currentRequest && self.currentRequest.tag === data.tag) self.currentRequest.sent = true;
  };

  self.handleResponse = async function handleRaw(data: StreamItem): Promise<boolean> {
    const request = self.currentRequest;
    const pipeline = request && request.sent ? request.options?.rawPipeline : undefined;
    if (request && pipeline) {
      const first = data.payload[0];
      if (first === PLUS) {
        pipeline.continuation(pipelineWriter(true));
        return true;
      }
      if (first !== STAR) {
        const space = data.payload.indexOf(SPACE);
        const tag = data.payload.toString('latin1', 0, space === -1 ? data.payload.length : space);
        // The request's own tag ends it: nothing of the pipeline may be written after this, and
        // ImapFlow's next command starts from an empty continuation queue.
        if (tag === request.tag) self.commandParts = [];
        else if (pipeline.tagged(data.payload, pipelineWriter(true))) return true;
      }
      return originalHandle(data);
    }
    const untagged = request && request.sent ? request.options?.raw?.untagged : undefined;
    if (untagged && data.payload[0] === STAR && (await untagged(data.payload, data.literals))) return true;
    return originalHandle(data);
  };
}

/**
 * Runs one command written by `plan` (its text starts with the command name, after the tag) and
 * returns the tagged OK; a NO/BAD rejects with ImapFlow's error, which `mapImapError` understands.
 */
export async function execRaw(client: ImapFlow, command: string, plan: RawPlan): Promise<WireResponse> {
  ensureWrapped(client);
  const result = await (client as unknown as ExecCapable).exec(command, false, { raw: plan });
  result.next();
  return result.response;
}

/**
 * Runs the commands of `pipeline` as one ImapFlow request and returns the tagged OK of the last one
 * (the only one carrying ImapFlow's tag); a NO/BAD of it rejects with ImapFlow's error, as `execRaw`.
 * The answers to the others reach `pipeline.tagged`, their untagged responses the `untagged` handlers
 * (by response name, parsed by ImapFlow as for `execCommand`); a dropped connection rejects as usual.
 */
export async function execRawPipeline(client: ImapFlow, command: string, pipeline: RawPipeline, untagged: Record<string, UntaggedHandler> = {}): Promise<WireResponse> {
  ensureWrapped(client);
  // Untagged responses go to ImapFlow as for any command, which parses them and calls these handlers.
  const result = await (client as unknown as ExecCapable).exec(command, false, { rawPipeline: pipeline, untagged });
  result.next();
  return result.response;
}

/** A plan of one segment of plain text (no literals), e.g. `UID FETCH 1:5 (UID BODY.PEEK[])`. */
export function textPlan(text: string, untagged?: RawPlan['untagged']): RawPlan {
  return { segments: [[Buffer.from(text, 'latin1')]], summary: text, ...(untagged ? { untagged } : {}) };
}
