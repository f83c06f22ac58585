/**
 * Measures the delay proxy's own cost: N connections push a total of M MB through it (client →
 * server, then server → client) at 0, 20 and 80 ms; the proxy runs in a child process so its CPU
 * time is its own. `node bench/delay-proxy-measure.ts [--mb 100] [--connections 32] [--rtt 0,20,80]`
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startDelayProxy } from './delay-proxy.ts';

interface ChildReport {
  cpuUserS: number;
  cpuSystemS: number;
  peakRssMiB: number;
}

if (process.argv[2] === 'child') {
  const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: Number(process.argv[3]), rttMs: Number(process.argv[4]) });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const before = process.cpuUsage();
  process.send?.({ port: proxy.port });
  process.on('message', () => {
    const cpu = process.cpuUsage(before);
    clearInterval(sampler);
    const report: ChildReport = { cpuUserS: cpu.user / 1e6, cpuSystemS: cpu.system / 1e6, peakRssMiB: Math.round(peakRss / 2 ** 20) };
    process.send?.(report, () => {
      void proxy.stop().then(() => process.exit(0));
    });
  });
} else {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '100' }, connections: { type: 'string', default: '32' }, rtt: { type: 'string', default: '0,20,80' } } });
  const totalBytes = Number(values.mb) * 1e6;
  const connections = Number(values.connections);
  const perConnection = Math.ceil(totalBytes / connections);
  const block = Buffer.alloc(64 * 1024, 0x61);

  /** Writes `bytes` to the socket respecting backpressure, then ends it. */
  const pump = (socket: net.Socket, bytes: number): void => {
    let left = bytes;
    const more = (): void => {
      while (left > 0) {
        const n = Math.min(left, block.length);
        left -= n;
        if (!socket.write(block.subarray(0, n))) {
          socket.once('drain', more);
          return;
        }
      }
      socket.end();
    };
    more();
  };

  for (const direction of ['up', 'down'] as const) {
    for (const rttMs of (values.rtt ?? '0').split(',').map(Number)) {
      let received = 0;
      let done: () => void = () => undefined;
      const finished = new Promise<void>((r) => (done = r));
      const count = (chunk: Buffer): void => {
        received += chunk.length;
        if (received >= perConnection * connections) done();
      };
      const sink = net.createServer((socket) => {
        if (direction === 'up') socket.on('data', count).on('end', () => socket.end());
        else {
          socket.resume();
          pump(socket, perConnection);
        }
      });
      await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
      const child: ChildProcess = fork(import.meta.filename, ['child', String((sink.address() as AddressInfo).port), String(rttMs)], { stdio: 'inherit' });
      const port = await new Promise<number>((r) => child.once('message', (m: { port: number }) => r(m.port)));
      const started = performance.now();
      const clients = Array.from({ length: connections }, () => {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        if (direction === 'up') socket.once('connect', () => pump(socket, perConnection)).resume();
        else socket.on('data', count);
        return socket;
      });
      await finished;
      const seconds = (performance.now() - started) / 1000;
      const report = await new Promise<ChildReport>((r) => {
        child.once('message', (m: ChildReport) => r(m));
        child.send('report');
      });
      for (const socket of clients) socket.destroy();
      await new Promise<void>((r) => child.once('exit', () => r()));
      await new Promise<void>((r) => sink.close(() => r()));
      const cpu = report.cpuUserS + report.cpuSystemS;
      console.log(`${direction.padEnd(4)} rtt ${String(rttMs).padStart(2)} ms: ${connections} connections, ${(received / 1e6).toFixed(0)} MB in ${seconds.toFixed(2)} s = ${(received / 1e6 / seconds).toFixed(0)} MB/s; proxy CPU ${cpu.toFixed(2)} s (user ${report.cpuUserS.toFixed(2)}, sys ${report.cpuSystemS.toFixed(2)}) = ${((cpu / (received / 1e6)) * 1000).toFixed(1)} ms per MB, ${((cpu / seconds) * 100).toFixed(0)} % of a core; peak RSS ${report.peakRssMiB} MiB`);
    }
  }
}
