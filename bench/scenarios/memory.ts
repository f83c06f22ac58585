/**
 * Memory with one large message: a mailbox holding a single message of `messageBytes` (a base64
 * attachment, 50 MB = 50·10^6 bytes by default) and five small ones, copied by Cutover. Its peak RSS is compared with
 * the no-op rerun's on the same pair — the same process, modules and database without the message —
 * and the difference is put in proportion to the message size ("holds no more than a few times it").
 */
import { randomBytes } from 'node:crypto';
import { connectImap } from '../../test/helpers/seed-mailbox.ts';
import type { CorpusStats } from '../corpus/spec.ts';
import { countBytes, countMessages } from '../snapshot.ts';
import type { Account, Tool } from '../tools/types.ts';
import type { Lab } from './lab.ts';
import type { MemoryRecord } from './types.ts';

const SMALL = 5;

/** A MIME message of exactly `bytes` bytes (CRLF, base64 lines of 76) with a random attachment. */
export function largeMessage(bytes: number, tag: string): Buffer {
  const head = [
    `From: Big Sender <big@bench.cutover.test>`, `To: user@bench.cutover.test`, `Subject: ${tag}`,
    `Date: Mon, 02 Jan 2023 10:00:00 +0000`, `Message-ID: <${tag}@bench.cutover.test>`, 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=us-ascii', '',
    'The attachment.', '--b1', 'Content-Type: application/octet-stream; name="data.bin"', 'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="data.bin"', '', '',
  ].join('\r\n');
  const tail = '\r\n--b1--\r\n';
  const room = bytes - head.length - tail.length;
  // 76 characters + CRLF per line; 57 payload bytes make 76 base64 characters.
  const lines = Math.floor(room / 78);
  const body = randomBytes(lines * 57).toString('base64').replace(/.{76}/g, '$&\r\n');
  const pad = 'X'.repeat(Math.max(0, room - body.length - 2));
  return Buffer.from(`${head}${body}${pad ? `${pad}\r\n` : ''}${tail}`, 'latin1');
}

async function fill(account: Account, bytes: number): Promise<CorpusStats> {
  const client = await connectImap(account);
  const sizes: number[] = [];
  try {
    const big = largeMessage(bytes, 'large-message');
    await client.append('INBOX', big, ['\\Seen'], new Date('2023-01-02T10:00:00Z'));
    sizes.push(big.length);
    for (let i = 0; i < SMALL; i++) {
      const small = Buffer.from(`From: a@b.test\r\nSubject: small ${i}\r\nMessage-ID: <small-${i}@bench.cutover.test>\r\n\r\nHello ${i}.\r\n`);
      await client.append('INBOX', small, [], new Date(Date.UTC(2023, 0, 3 + i)));
      sizes.push(small.length);
    }
  } finally {
    await client.logout();
  }
  const total = sizes.reduce((n, s) => n + s, 0);
  return { messages: sizes.length, bytes: total, medianBytes: sizes[Math.floor(sizes.length / 2)] ?? 0, meanBytes: Math.round(total / sizes.length), largestBytes: bytes, folders: 1, perFolder: { INBOX: sizes.length } };
}

export async function runMemory(lab: Lab, cutover: Tool, messageBytes: number): Promise<MemoryRecord> {
  const source = await lab.customSource('big', (account) => fill(account, messageBytes));
  const pair = await lab.newPair(cutover, source, 'maildir', 0);
  const full = await lab.pass(pair, 'full', { messages: countMessages(source.snapshot), bytes: countBytes(source.snapshot) });
  const noop = await lab.pass(pair, 'noop');
  const peak = full.peakRssMiB ?? NaN;
  const idle = noop.peakRssMiB ?? NaN;
  const ratio = ((peak - idle) * 1024 * 1024) / messageBytes;
  return {
    messageBytes, peakRssMiB: peak, idleRssMiB: idle, peakTreePssMiB: full.peakTreePssMiB, ratio,
    gateOk: full.gate.ok && noop.gate.ok,
    summary: `peak RSS ${peak.toFixed(0)} MiB vs ${idle.toFixed(0)} MiB for the no-op rerun: ${(peak - idle).toFixed(0)} MiB more, ${ratio.toFixed(2)}x the ${(messageBytes / 1e6).toFixed(0)} MB message`,
  };
}
