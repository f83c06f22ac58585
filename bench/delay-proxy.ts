/**
 * A TCP proxy on loopback that imitates a network round trip: every chunk is held for rttMs/2 in
 * each direction, in order, without limiting bandwidth (up to DELAY_LINE_BYTES in flight per
 * direction and connection, i.e. 16 MiB per 40 ms, 400 MiB/s). A new connection also pays the TCP
 * handshake: the upstream connection opens 1.5 × rtt after the client's, so a server greeting reaches
 * the client 2 × rtt after it connected, as over a real link (SYN, SYN-ACK, ACK, then the greeting).
 * rttMs 0 is a plain pass-through (same hop, no timers), so 0/20/80 ms runs differ only by the delay.
 * Independent of test/helpers/fault-proxy.ts: that one injects faults, this one only delays.
 */
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface DelayProxy {
  host: '127.0.0.1';
  port: number;
  rttMs: number;
  /** Connections accepted so far and most open at once. */
  readonly totalConnections: number;
  readonly peakConnections: number;
  stop(): Promise<void>;
}

export interface DelayProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Round trip to add; each direction gets half. */
  rttMs: number;
  /** Charge a TCP handshake (1.5 × rtt) before the upstream connection opens. Default true. */
  handshake?: boolean;
}

/** Bytes held in one direction's delay line before the sender is paused (TCP-like backpressure). */
const DELAY_LINE_BYTES = 16 * 1024 * 1024;

interface Held {
  due: number;
  /** null: the sender's FIN, forwarded as end() when due. */
  chunk: Buffer | null;
}

/**
 * One direction: data from `from` reaches `to` `delayMs` later. Chunks due within the same timer
 * tick are written together under cork() (one syscall), and at most one timer runs per direction.
 */
function delayLine(from: Socket, to: Socket, delayMs: number, isReady: () => boolean): { flush: () => void; clear: () => void } {
  const queue: Held[] = [];
  let head = 0;
  let held = 0;
  let timer: NodeJS.Timeout | undefined;
  let paused = false;

  const resumeIfRoom = (): void => {
    if (paused && held + to.writableLength < DELAY_LINE_BYTES / 2) {
      paused = false;
      from.resume();
    }
  };
  const schedule = (): void => {
    if (timer !== undefined || head >= queue.length || !isReady()) return;
    // Timers fire 0.5–1.5 ms after their whole-millisecond delay; aim half a millisecond early.
    timer = setTimeout(flush, Math.max(0, queue[head]!.due - performance.now() - 0.5));
  };
  function flush(): void {
    timer = undefined;
    if (!isReady() || to.destroyed) return;
    // Take what is due within the next half millisecond too: another timer would come later than that.
    const now = performance.now() + 0.5;
    to.cork();
    while (head < queue.length && queue[head]!.due <= now) {
      const { chunk } = queue[head]!;
      queue[head++] = { due: 0, chunk: null };
      if (chunk === null) to.end();
      else {
        held -= chunk.length;
        to.write(chunk);
      }
    }
    to.uncork();
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head > 1024) {
      queue.splice(0, head);
      head = 0;
    }
    resumeIfRoom();
    schedule();
  }
  from.on('data', (chunk: Buffer) => {
    queue.push({ due: performance.now() + delayMs, chunk });
    held += chunk.length;
    if (!paused && held + to.writableLength >= DELAY_LINE_BYTES) {
      paused = true;
      from.pause();
    }
    schedule();
  });
  from.on('end', () => {
    queue.push({ due: performance.now() + delayMs, chunk: null });
    schedule();
  });
  to.on('drain', resumeIfRoom);
  return {
    flush: schedule,
    clear: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      queue.length = 0;
    },
  };
}

export async function startDelayProxy(opts: DelayProxyOptions): Promise<DelayProxy> {
  if (!(opts.rttMs >= 0)) throw new Error(`startDelayProxy: rttMs ${opts.rttMs} must be ≥ 0`);
  const oneWay = opts.rttMs / 2;
  const handshakeMs = opts.handshake === false ? 0 : 1.5 * opts.rttMs;
  const sockets = new Set<Socket>();
  const cleanups = new Set<() => void>();
  let open = 0;
  let peak = 0;
  let total = 0;

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    total++;
    open++;
    peak = Math.max(peak, open);
    client.setNoDelay(true);
    const upstream = new net.Socket({ allowHalfOpen: true });
    sockets.add(client);
    sockets.add(upstream);
    let connected = false;
    let closed = 0;
    let connectTimer: NodeJS.Timeout | undefined;
    const lines: Array<{ flush: () => void; clear: () => void }> = [];
    const cleanup = (): void => {
      if (connectTimer !== undefined) clearTimeout(connectTimer);
      for (const line of lines) line.clear();
    };
    cleanups.add(cleanup);
    // Any error or reset ends both sides at once; a clean close waits for the other side's own.
    const abort = (): void => {
      client.destroy();
      upstream.destroy();
    };
    const onClose = (socket: Socket): void => {
      sockets.delete(socket);
      if (++closed === 2) {
        open--;
        cleanup();
        cleanups.delete(cleanup);
      }
    };
    client.on('error', abort);
    upstream.on('error', abort);
    client.on('close', (hadError) => {
      onClose(client);
      if (hadError || !connected) abort();
    });
    upstream.on('close', (hadError) => {
      onClose(upstream);
      if (hadError) abort();
    });

    if (opts.rttMs === 0) {
      client.pipe(upstream);
      upstream.pipe(client);
    } else {
      lines.push(delayLine(client, upstream, oneWay, () => connected), delayLine(upstream, client, oneWay, () => true));
    }
    const connectUpstream = (): void => {
      connectTimer = undefined;
      upstream.connect({ host: opts.targetHost, port: opts.targetPort, noDelay: true }, () => {
        connected = true;
        for (const line of lines) line.flush();
      });
    };
    if (handshakeMs > 0) connectTimer = setTimeout(connectUpstream, handshakeMs);
    else connectUpstream();
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    rttMs: opts.rttMs,
    get totalConnections() {
      return total;
    },
    get peakConnections() {
      return peak;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const cleanup of cleanups) cleanup();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
