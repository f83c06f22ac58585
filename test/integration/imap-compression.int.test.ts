/**
 * COMPRESS=DEFLATE (RFC 4978): by default only on a slow link. A Dovecot that offers it (imap_zlib),
 * directly on loopback and behind a 20 ms delay proxy; the raw APPEND/FETCH path must work through
 * the deflate stream.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDelayProxy, type DelayProxy } from '../../bench/delay-proxy.ts';
import type { CompressMode, ImapEndpoint } from '../../src/core/endpoint.ts';
import { openImapSession } from '../../src/connectors/imap/imap-session.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';

let server: DovecotInstance;
let slow: DelayProxy;

const endpoint = (port: number, compress?: CompressMode): ImapEndpoint => ({
  host: '127.0.0.1', port, tls: 'none', tlsVerify: true, auth: { kind: 'password', user: 'alice', password: 'alice-pw' }, maxConnections: 2, timeoutSeconds: 20,
  ...(compress ? { compress } : {}),
});

before(async () => {
  server = await startDovecot({ name: 'imap-compression', users: { alice: 'alice-pw' }, compress: true });
  slow = await startDelayProxy({ targetHost: server.host, targetPort: server.port, rttMs: 20 });
});
after(async () => {
  await slow?.stop();
  await server?.stop();
});

test('auto: not on loopback, on behind a 20 ms round trip; on/off force it', async () => {
  const cases: Array<[number, CompressMode | undefined, boolean]> = [
    [server.port, undefined, false],
    [slow.port, undefined, true],
    [server.port, 'on', true],
    [slow.port, 'off', false],
  ];
  for (const [port, mode, expected] of cases) {
    const session = await openImapSession(endpoint(port, mode));
    try {
      assert.ok(session.info.capabilities.has('COMPRESS=DEFLATE'));
      assert.equal(session.info.compressed, expected, `port ${port === slow.port ? 'slow' : 'direct'}, mode ${mode ?? 'auto'}`);
    } finally {
      await session.close();
    }
  }
});

test('MULTIAPPEND and body FETCH through the deflate stream keep every byte', async () => {
  const session = await openImapSession(endpoint(server.port, 'on'));
  try {
    assert.equal(session.info.compressed, true);
    await session.createFolder('Zipped');
    const contents = [1, 70_000, 300_000].map((n, i) => Buffer.from(`Subject: z${i}\r\n\r\n${'abc\r\n'.repeat(n)}`));
    const appended = await session.append('Zipped', contents.map((content) => ({ content, flags: ['\\Seen'], internalDate: new Date('2021-01-01T00:00:00Z') })));
    const uids = appended.results.map((r) => ('uid' in r ? r.uid : null));
    assert.deepEqual(uids, [1, 2, 3]);
    const got = new Map<number, Buffer>();
    for await (const m of session.fetchMessages('Zipped', [1, 2, 3])) got.set(m.uid, m.source);
    contents.forEach((content, i) => assert.ok(got.get(i + 1)?.equals(content), `message ${i + 1} identical`));
  } finally {
    await session.close();
  }
});
