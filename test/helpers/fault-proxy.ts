/**
 * A TCP proxy on loopback that sits between Cutover and a real server and injects faults: cut every
 * connection once N bytes went from client to server (mid-APPEND), or stall. It also counts the
 * connections it saw at once, so tests can assert connection caps, and records the commands clients
 * sent, so tests can assert what went over the wire.
 */
import net from 'node:net';

export interface FaultProxy {
  readonly port: number;
  /** Most client connections open at the same time so far. */
  readonly peakConnections: number;
  readonly totalConnections: number;
  /** Destroys every open connection once `bytes` more bytes have gone upstream (client → server). */
  cutAfterUpstreamBytes(bytes: number): void;
  /**
   * Lets `skip` successful APPENDs through, then drops the server's tagged `OK [APPENDUID …]` answer
   * of the next one and cuts every connection `cutAfterMs` later: the server stored the messages,
   * the client never learns it (the window the write-ahead `in_doubt` state exists for).
   */
  swallowAppendAnswer(skip: number, cutAfterMs?: number): void;
  /** Destroys every open connection now. */
  cutAll(): void;
  /**
   * Command lines clients sent since the last call (tag removed, e.g. `UID SEARCH RETURN (ALL) UID 9:*`;
   * at most 200 characters each; literal payloads can appear as lines too). Clears the record.
   */
  takeCommands(): string[];
  /**
   * The same with the client connection each command came on (numbered from 1 in order of arrival)
   * and its tag (a pipelined sub-command's tag looks like `A12.3`).
   */
  takeCommandLog(): Array<{ connection: number; tag: string; command: string }>;
  /** Refuses (closes at once) new connections while true. */
  refuse(on: boolean): void;
  /**
   * At most `n` connections open at once, as providers cap an account's connections: one more gets
   * `* BYE [UNAVAILABLE] …` instead of a greeting and is closed. Counted here, so exact (a server's
   * own cap can let simultaneous logins past it).
   */
  capConnections(n: number): void;
  /**
   * Imitates a server without UIDPLUS (RFC 4315): drops UIDPLUS from CAPABILITY answers and the
   * APPENDUID / COPYUID response codes (Dovecot sends them whatever it advertises). Applied per chunk,
   * which holds for the short status lines it rewrites.
   */
  hideUidplus(): void;
  /**
   * Imitates a server that stores a re-rendered message instead of the bytes it was given (Exchange,
   * Microsoft 365): `prefix` is put in front of every APPEND literal, and its `{size}` grown to match,
   * on connections opened from now on. Needs an uncompressed stream (loopback never compresses).
   */
  rewriteAppends(prefix: string): void;
  close(): Promise<void>;
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
function withoutUidplus(chunk: Buffer): Buffer {
  const text = chunk.toString('latin1');
  // Only server status lines: `* OK [CAPABILITY …]`, `* CAPABILITY …`, `tag OK [APPENDUID …]`.
  const rewritten = text.replace(/^(\S+ (?:OK \[CAPABILITY|CAPABILITY)[^\r\n]*)/gm, (line) => line.replace(/ UIDPLUS\b/g, ''))
    .replace(/^(\S+ OK) \[(?:APPENDUID|COPYUID) [^\]\r\n]*\]/gm, '$1');
  return rewritten === text ? chunk : Buffer.from(rewritten, 'latin1');
}

/**
 * A client→server filter that inserts `prefix` at the start of every APPEND literal (MULTIAPPEND and
 * pipelined ones too) and fixes its `{size}` / `{size+}` (RFC 3501 §4.3, RFC 7888). Lines are read
 * across chunks; literal bytes are passed through uninspected.
 */
function appendRewriter(prefix: Buffer): (chunk: Buffer) => Buffer {
  let pending = Buffer.alloc(0);
  let literalLeft = 0;
  let inAppend = false;
  return (chunk) => {
    const data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < data.length) {
      if (literalLeft > 0) {
        const n = Math.min(literalLeft, data.length - pos);
        out.push(data.subarray(pos, pos + n));
        pos += n;
        literalLeft -= n;
        continue;
      }
      const eol = data.indexOf('\r\n', pos);
      if (eol === -1) {
        pending = Buffer.from(data.subarray(pos));
        break;
      }
      let line = data.subarray(pos, eol).toString('latin1');
      pos = eol + 2;
      if (!inAppend && /^\S+ APPEND /i.test(line)) inAppend = true;
      const marker = /\{(\d+)(\+?)\}$/.exec(line);
      if (marker) {
        literalLeft = Number(marker[1]);
        if (inAppend) line = `${line.slice(0, marker.index)}{${literalLeft + prefix.length}${marker[2] ?? ''}}`;
        out.push(Buffer.from(`${line}\r\n`, 'latin1'));
        if (inAppend) out.push(prefix);
      } else {
        // The command ends here (after a MULTIAPPEND's last literal, or a command without one).
        out.push(Buffer.from(`${line}\r\n`, 'latin1'));
        inAppend = false;
      }
    }
    return Buffer.concat(out);
  };
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const sockets = new Set<net.Socket>();
  let open = 0;
  let peak = 0;
  let total = 0;
  let budget: number | null = null;
  let refusing = false;
  let noUidplus = false;
  let cap: number | null = null;
  let appendPrefix: Buffer | null = null;
  let appendsToSkip: number | null = null;
  let swallowing = false;
  let swallowCutMs = 300;
  let commands: Array<{ connection: number; tag: string; command: string }> = [];
  const COMMAND = /^([A-Za-z0-9.]+) ([A-Z][A-Z0-9-]*(?: [A-Z][A-Z0-9.-]*)?.*)$/;

  const cutAll = (): void => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    if (cap !== null && open >= cap) {
      // What a provider answers past its per-account cap, before any command (RFC 3501 §7.1.5).
      client.end('* BYE [UNAVAILABLE] Too many simultaneous connections for this account\r\n');
      return;
    }
    total++;
    const connection = total;
    open++;
    peak = Math.max(peak, open);
    const upstream = net.connect(targetPort, '127.0.0.1');
    const rewrite = appendPrefix === null ? null : appendRewriter(appendPrefix);
    sockets.add(client);
    sockets.add(upstream);
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      open--;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    let partial = '';
    client.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('latin1')).split('\r\n');
      partial = (lines.pop() ?? '').slice(-200);
      for (const line of lines) {
        const m = COMMAND.exec(line.slice(0, 200));
        if (m?.[1] !== undefined && m[2] !== undefined && commands.length < 100_000) commands.push({ connection, tag: m[1], command: m[2] });
      }
      if (budget !== null) {
        budget -= chunk.length;
        if (budget <= 0) {
          budget = null;
          // Let part of this chunk through so the server sees a half-written command.
          upstream.write(chunk.subarray(0, Math.max(1, chunk.length + (budget ?? 0)) >> 1), () => cutAll());
          return;
        }
      }
      upstream.write(rewrite ? rewrite(chunk) : chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (swallowing) return;
      if (appendsToSkip !== null) {
        const text = chunk.toString('latin1');
        const at = text.search(/^\S+ OK \[APPENDUID /m);
        if (at !== -1) {
          if (appendsToSkip > 0) {
            appendsToSkip--;
          } else {
            appendsToSkip = null;
            swallowing = true;
            client.write(chunk.subarray(0, at));
            setTimeout(() => {
              swallowing = false;
              cutAll();
            }, swallowCutMs);
            return;
          }
        }
      }
      client.write(noUidplus ? withoutUidplus(chunk) : chunk);
    });
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get peakConnections() {
      return peak;
    },
    get totalConnections() {
      return total;
    },
    cutAfterUpstreamBytes(bytes: number) {
      budget = bytes;
    },
    swallowAppendAnswer(skip: number, cutAfterMs = 300) {
      appendsToSkip = skip;
      swallowCutMs = cutAfterMs;
    },
    cutAll,
    hideUidplus() {
      noUidplus = true;
    },
    rewriteAppends(prefix: string) {
      appendPrefix = Buffer.from(prefix, 'latin1');
    },
    takeCommands() {
      const taken = commands;
      commands = [];
      return taken.map((c) => c.command);
    },
    takeCommandLog() {
      const taken = commands;
      commands = [];
      return taken;
    },
    refuse(on: boolean) {
      refusing = on;
    },
    capConnections(n: number) {
      cap = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
