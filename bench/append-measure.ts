/**
 * Measures APPEND throughput against a local Dovecot: (1) one APPEND per message through ImapFlow's
 * own `append()` (one command, one round trip and one server-side save each), (2) MULTIAPPEND
 * (RFC 3502) batches of 100 through the connector (`ImapSession.append`). Prints messages/s for both.
 *
 *   npx node bench/append-measure.ts [count=2000] [batch=100]
 *
 * Messages are synthetic, 3,600–4,600 octets (about 4 KB; roughly half are above ImapFlow's 4,096-octet
 * non-synchronizing literal limit, so both literal forms are exercised).
 */
import { ImapFlow } from 'imapflow';
import { imapFlowOptions } from '../src/connectors/imap/connect.ts';
import { openImapSession } from '../src/connectors/imap/imap-session.ts';
import type { AppendItem } from '../src/connectors/imap/types.ts';
import type { ImapEndpoint } from '../src/core/endpoint.ts';
import { startDovecot } from '../test/helpers/dovecot.ts';

const count = Number(process.argv[2] ?? 2000);
const batchSize = Number(process.argv[3] ?? 100);

function syntheticMessage(i: number): Buffer {
  const size = Number(process.env["BENCH_MIN_SIZE"] ?? 3600) + ((i * 7919) % 1001);
  const head = `Message-ID: <bench-${i}@cutover.test>\r\nDate: Mon, 3 Feb 2020 04:05:06 +0000\r\nFrom: Bench <bench@cutover.test>\r\nTo: user@cutover.test\r\nSubject: Benchmark message ${i}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n`;
  const lines: string[] = [];
  let body = 0;
  while (head.length + body < size - 80) {
    const line = `Line ${lines.length} of message ${i}: the quick brown fox jumps over the lazy dog.`.slice(0, 76);
    lines.push(line);
    body += line.length + 2;
  }
  return Buffer.from(head + lines.join('\r\n') + '\r\n');
}

const items: AppendItem[] = Array.from({ length: count }, (_, i) => ({ content: syntheticMessage(i), flags: i % 3 === 0 ? ['\\Seen'] : [], internalDate: new Date(Date.UTC(2020, 1, 3, 4, 5, i % 60)) }));
const totalBytes = items.reduce((n, it) => n + it.content.length, 0);
const over4k = items.filter((it) => it.content.length > 4096).length;

const server = await startDovecot({ name: 'append-measure', users: { bench: 'benchpw' } });
try {
  const endpoint: ImapEndpoint = { host: server.host, port: server.port, tls: 'none', tlsVerify: false, auth: { kind: 'password', user: 'bench', password: 'benchpw' }, maxConnections: 2 };

  // (1) ImapFlow, one APPEND per message.
  const client = new ImapFlow(imapFlowOptions(endpoint));
  client.on('error', () => undefined);
  await client.connect();
  await client.mailboxCreate('single');
  let t0 = performance.now();
  for (const item of items) await client.append('single', item.content, [...item.flags], item.internalDate);
  const singleMs = performance.now() - t0;
  await client.logout();

  // (2) The connector's MULTIAPPEND, batches of `batchSize`.
  const session = await openImapSession(endpoint);
  await session.createFolder('multi');
  let failed = 0;
  t0 = performance.now();
  for (let i = 0; i < items.length; i += batchSize) {
    const result = await session.append('multi', items.slice(i, i + batchSize));
    failed += result.results.filter((r) => 'error' in r).length;
  }
  const multiMs = performance.now() - t0;
  const status = await session.statusAll(['single', 'multi'], { condstore: false });
  await session.close();

  const rate = (ms: number): string => `${Math.round((count / ms) * 1000).toLocaleString('en')} msg/s, ${((totalBytes / 1048576 / ms) * 1000).toFixed(1)} MiB/s`;
  console.log(`${count} messages, ${(totalBytes / 1048576).toFixed(1)} MiB, ${over4k} over 4,096 octets; Dovecot on loopback`);
  console.log(`(1) ImapFlow append(), one APPEND per message: ${(singleMs / 1000).toFixed(2)} s  ${rate(singleMs)}  (stored ${status.get('single')?.messages})`);
  console.log(`(2) connector MULTIAPPEND, batches of ${batchSize}:      ${(multiMs / 1000).toFixed(2)} s  ${rate(multiMs)}  (stored ${status.get('multi')?.messages}, failed ${failed})`);
  console.log(`speed-up: ${(singleMs / multiMs).toFixed(1)}x`);
} finally {
  await server.stop();
}
