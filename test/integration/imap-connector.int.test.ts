/**
 * The IMAP connector against real Dovecot 2.3 instances: TLS modes, the auth kinds, folders, STATUS,
 * APPEND / MULTIAPPEND, FETCH, SEARCH and STORE. What the connector wrote is checked with a separate
 * plain ImapFlow connection (test/helpers/seed-mailbox.ts), never through the connector itself.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { isAppError } from '../../src/core/app-error.ts';
import type { ErrorCode } from '../../src/core/error-codes.ts';
import type { ImapAuth, ImapEndpoint, TlsMode } from '../../src/core/endpoint.ts';
import { openImapSession } from '../../src/connectors/imap/imap-session.ts';
import type { AppendItem, ImapSession } from '../../src/connectors/imap/types.ts';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';
import { connectImap } from '../helpers/seed-mailbox.ts';
import { freePort } from '../helpers/free-port.ts';

let server: DovecotInstance;
let plainServer: DovecotInstance;
let syncServer: DovecotInstance;
let ca: string;

const alice: ImapAuth = { kind: 'password', user: 'alice', password: 'alice-pw' };

function endpoint(overrides: Partial<ImapEndpoint> = {}): ImapEndpoint {
  return { host: server.host, port: server.port, tls: 'none', tlsVerify: true, auth: alice, maxConnections: 4, timeoutSeconds: 20, ...overrides };
}

function tlsEndpoint(tls: TlsMode, extra: Partial<ImapEndpoint> = {}): ImapEndpoint {
  return endpoint({ tls, port: tls === 'implicit' ? (server.tlsPort) : server.port, tlsCa: ca, ...extra });
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isAppError(err), `expected AppError, got ${String(err)}`);
    assert.equal(err.code, code, `${err.code}: ${err.message}`);
    assert.ok(!JSON.stringify(err.toJSON()).includes('-pw'), 'no password in the error');
    return true;
  });
}

/** An independent ImapFlow connection as `user` (not the connector under test). */
function inspect(user = 'alice', password = 'alice-pw'): Promise<ImapFlow> {
  return connectImap({ host: server.host, port: server.port, user, password });
}

let counter = 0;
function message(subject: string, body = 'Hello.'): Buffer {
  counter++;
  return Buffer.from(`Message-ID: <${subject.replace(/\W/g, '')}-${counter}@cutover.test>\r\nDate: Mon, 3 Feb 2020 04:05:06 +0000\r\nFrom: Test <t@cutover.test>\r\nSubject: ${subject}\r\n\r\n${body}\r\n`, 'latin1');
}

before(async () => {
  [server, plainServer, syncServer] = await Promise.all([
    startDovecot({
      name: 'imap-connector',
      users: { alice: 'alice-pw', bob: 'bob-pw' },
      masterUsers: { admin: 'admin-pw' },
      tls: true,
      specialUse: { 'Sent Items': '\\Sent', Drafts: '\\Drafts' },
      autoCreateSpecialUse: true,
    }),
    // Also a smaller server, like many legacy ones: no MULTIAPPEND, LIST-STATUS, CONDSTORE or ESEARCH.
    startDovecot({ name: 'imap-connector-plain', users: { alice: 'alice-pw' }, masterUsers: { admin: 'admin-pw' }, capabilities: 'IMAP4rev1 LITERAL+ UIDPLUS NAMESPACE SPECIAL-USE' }),
    // MULTIAPPEND without LITERAL+/LITERAL-: every literal must wait for the server's `+` (RFC 3501 §7.5).
    startDovecot({ name: 'imap-connector-sync', users: { alice: 'alice-pw' }, capabilities: 'IMAP4rev1 UIDPLUS MULTIAPPEND NAMESPACE' }),
  ]);
  ca = readFileSync(server.caCertPath as string, 'utf8');
});

after(async () => {
  await Promise.all([server?.stop(), plainServer?.stop(), syncServer?.stop()]);
});

describe('connect: TLS modes', () => {
  for (const tls of ['implicit', 'starttls', 'none'] as const) {
    test(`${tls} with the server's CA logs in`, async () => {
      const session = await openImapSession(tlsEndpoint(tls));
      assert.ok(session.info.capabilities.has('IMAP4REV1'));
      assert.ok(session.info.capabilities.has('MULTIAPPEND'), 'capabilities are the post-login ones');
      await session.close();
    });
  }
  test('a self-signed certificate without the CA is rejected (implicit and STARTTLS)', async () => {
    await rejectsWith(openImapSession(tlsEndpoint('implicit', { tlsCa: undefined })), 'IMAP_TLS_FAILED');
    await rejectsWith(openImapSession(tlsEndpoint('starttls', { tlsCa: undefined })), 'IMAP_TLS_FAILED');
  });
  test('tlsVerify false accepts it explicitly', async () => {
    const session = await openImapSession(tlsEndpoint('implicit', { tlsCa: undefined, tlsVerify: false }));
    await session.close();
  });
  test('starttls fails on a server without STARTTLS instead of going on in plain text', async () => {
    await rejectsWith(openImapSession(endpoint({ port: plainServer.port, tls: 'starttls' })), 'IMAP_TLS_FAILED');
  });
  test('nothing listening → IMAP_CONNECT_FAILED', async () => {
    await rejectsWith(openImapSession(endpoint({ port: await freePort() })), 'IMAP_CONNECT_FAILED');
  });
});

describe('connect: auth', () => {
  test('master user via separator and via SASL PLAIN authzid act as the user', async () => {
    for (const method of ['separator', 'authzid'] as const) {
      const session = await openImapSession(endpoint({ auth: { kind: 'master', user: 'bob', adminUser: 'admin', password: 'admin-pw', method } }));
      const result = await session.append('INBOX', [{ content: message(`via ${method}`), flags: [], internalDate: new Date() }]);
      assert.ok('uid' in (result.results[0] ?? {}));
      await session.close();
    }
    const bob = await inspect('bob', 'bob-pw');
    const status = await bob.status('INBOX', { messages: true });
    assert.ok(status, 'STATUS INBOX answered');
    assert.equal(status.messages, 2, 'both messages landed in bob’s INBOX');
    await bob.logout();
  });
  test('wrong password → IMAP_AUTH_FAILED; master user for a user that does not exist → IMAP_AUTHZ_FAILED', async () => {
    // In parallel and spread over both servers: Dovecot delays each failed login from an IP by
    // 2 s, doubling per failure (auth_failure_delay / anvil penalty), so one after the other takes ~15 s.
    const ghost = (method: 'separator' | 'authzid', port: number): Promise<unknown> =>
      openImapSession(endpoint({ port, auth: { kind: 'master', user: 'nobody-here', adminUser: 'admin', password: 'admin-pw', method } }));
    await Promise.all([
      rejectsWith(openImapSession(endpoint({ auth: { kind: 'password', user: 'alice', password: 'nope-pw' } })), 'IMAP_AUTH_FAILED'),
      rejectsWith(ghost('separator', plainServer.port), 'IMAP_AUTHZ_FAILED'),
      rejectsWith(ghost('authzid', plainServer.port), 'IMAP_AUTHZ_FAILED'),
    ]);
  });
  test('OAuth2 on a server without XOAUTH2/OAUTHBEARER → IMAP_AUTH_UNSUPPORTED', async () => {
    await rejectsWith(openImapSession(endpoint({ auth: { kind: 'oauth2', user: 'alice', accessToken: 'token-pw' } })), 'IMAP_AUTH_UNSUPPORTED');
  });
});

describe('session', () => {
  let session: ImapSession;
  before(async () => {
    session = await openImapSession(tlsEndpoint('starttls'));
  });
  after(async () => {
    await session.close();
  });

  test('listFolders: special-use, delimiter, non-ASCII nested folders, subscriptions', async () => {
    await session.createFolder('Projets/Été 2001/Réunions');
    await session.createFolder('Projets/Été 2001/Réunions'); // already exists: fine
    await session.subscribe('Projets/Été 2001/Réunions');
    const folders = await session.listFolders();
    const byPath = new Map(folders.map((f) => [f.path, f]));
    assert.equal(byPath.get('Sent Items')?.specialUse, '\\Sent');
    assert.equal(byPath.get('Drafts')?.specialUse, '\\Drafts');
    assert.equal(byPath.get('INBOX')?.specialUse, null);
    const nested = byPath.get('Projets/Été 2001/Réunions');
    assert.ok(nested, `nested folder listed: ${[...byPath.keys()].join(', ')}`);
    assert.equal(nested.delimiter, '/');
    assert.equal(nested.selectable, true);
    assert.equal(nested.subscribed, true);
    assert.equal(byPath.get('Projets')?.selectable, false, 'an implicit parent is a \\Noselect container');
  });

  test('append single and MULTIAPPEND: UIDs in order, flags, keywords, INTERNALDATE, bytes', async () => {
    await session.createFolder('Appended');
    const eightBit = Buffer.concat([message('8-bit', 'caf\xe9 na\xefve'), Buffer.from([0xc3, 0xa9, 0x00, 0x41, 0x0d, 0x0a])]);
    const items: AppendItem[] = [
      { content: message('one'), flags: ['\\Seen', '$Label1', '\\Recent'], internalDate: new Date('2019-05-06T07:08:09Z') },
      { content: eightBit, flags: ['\\Flagged', '\\Answered'], internalDate: new Date('2001-02-03T04:05:06Z') },
      { content: message('big', 'x'.repeat(70_000)), flags: [], internalDate: new Date('2010-10-10T10:10:10Z') },
    ];
    const single = await session.append('Appended', [items[0] as AppendItem]);
    const multi = await session.append('Appended', items);
    const uids = [...single.results, ...multi.results].map((r) => ('uid' in r ? r.uid : null));
    assert.deepEqual(uids, [1, 2, 3, 4]);
    assert.equal(multi.uidValidity, single.uidValidity);
    assert.equal(typeof multi.uidValidity, 'bigint');

    const check = await inspect();
    await check.mailboxOpen('Appended', { readOnly: true });
    const got = new Map<number, { source: Buffer; flags: string[]; date: Date }>();
    for await (const m of check.fetch('1:*', { uid: true, source: true, flags: true, internalDate: true }, { uid: true })) {
      got.set(m.uid, { source: m.source as Buffer, flags: [...(m.flags ?? [])].sort(), date: new Date(m.internalDate as Date) });
    }
    await check.logout();
    [items[0], ...items].forEach((item, i) => {
      const m = got.get(i + 1);
      assert.ok(m && item);
      // Dovecot stores a NUL byte as sent but shows it as 0x80 in BODY[] (a literal may not carry NUL).
      const asServed = Buffer.from(item.content.map((byte) => (byte === 0 ? 0x80 : byte)));
      assert.ok(m.source.equals(asServed), `bytes of UID ${i + 1} identical`);
      assert.equal(m.date.getTime(), item.internalDate.getTime());
      assert.deepEqual(m.flags.filter((f) => f !== '\\Recent'), item.flags.filter((f) => f !== '\\Recent').sort());
    });
    // …and on disk the NUL is there: the connector sent the bytes unchanged.
    // (Dovecot's maildir keeps LF line ends on disk unless mail_save_crlf is set.)
    const folder = join(server.userHome('alice'), 'Maildir', 'Appended');
    const onDisk = ['cur', 'new'].flatMap((sub) => readdirSync(join(folder, sub)).map((f) => readFileSync(join(folder, sub, f))));
    const lf = Buffer.from(eightBit.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    assert.ok(onDisk.some((file) => file.equals(eightBit) || file.equals(lf)), 'the 8-bit message with a NUL byte is stored byte for byte');
  });

  test('MULTIAPPEND refused for one bad message: the others are stored, only it fails', async () => {
    await session.createFolder('Fallback');
    const items: AppendItem[] = [message('a'), Buffer.alloc(0), message('c')].map((content) => ({ content, flags: [], internalDate: new Date() }));
    const result = await session.append('Fallback', items);
    const [a, bad, c] = result.results;
    assert.ok(a && 'uid' in a && c && 'uid' in c, JSON.stringify(result.results));
    assert.ok(bad && 'error' in bad);
    assert.equal(bad.error.code, 'ITEM_REJECTED');
    assert.equal(bad.error.details['status'], 'NO');
    assert.ok((a.uid ?? 0) < (c.uid ?? 0));
    assert.equal((await session.status('Fallback', { condstore: false })).messages, 2);
    await rejectsWith(session.append('No Such Folder', items), 'FOLDER_NOT_FOUND');
  });

  test('status / statusAll with HIGHESTMODSEQ (LIST-STATUS), missing folder → FOLDER_NOT_FOUND', async () => {
    const one = await session.status('Appended', { condstore: true });
    assert.equal(one.messages, 4);
    assert.equal(one.uidNext, 5);
    assert.equal(typeof one.highestModseq, 'bigint');
    const all = await session.statusAll(['INBOX', 'Appended', 'Projets/Été 2001/Réunions'], { condstore: true });
    assert.deepEqual(all.get('Appended'), one);
    assert.equal(all.get('Projets/Été 2001/Réunions')?.messages, 0);
    const noModseq = await session.status('Appended', { condstore: false });
    assert.equal(noModseq.highestModseq, null);
    await rejectsWith(session.status('Missing', { condstore: true }), 'FOLDER_NOT_FOUND');
    await rejectsWith(session.statusAll(['INBOX', 'Missing'], { condstore: true }), 'FOLDER_NOT_FOUND');
  });

  test('listUids, fetchMeta, fetchMessages and downloadMessage never set \\Seen', async () => {
    await session.createFolder('Unread');
    const items: AppendItem[] = [message('u1'), message('u2', 'y'.repeat(5000))].map((content) => ({ content, flags: ['$Work'], internalDate: new Date('2021-01-01T00:00:00Z') }));
    await session.append('Unread', items);
    const { uids, uidValidity } = await session.listUids('Unread');
    assert.deepEqual(uids, [1, 2]);
    assert.equal(typeof uidValidity, 'bigint');
    const metas = [];
    for await (const m of session.fetchMeta('Unread', uids)) metas.push(m);
    assert.equal(metas.length, 2);
    assert.equal(metas[0]?.size, items[0]?.content.length);
    assert.match(metas[0]?.headers.toString() ?? '', /^Message-ID: <u1-\d+@cutover.test>\r\n/im);
    assert.equal(typeof metas[0]?.modseq, 'bigint');
    const bodies = [];
    for await (const m of session.fetchMessages('Unread', [2, 1, 99])) bodies.push(m);
    assert.deepEqual(bodies.map((b) => b.uid), [1, 2]);
    assert.ok(bodies[1]?.source.equals(items[1]?.content as Buffer));
    const chunks: Buffer[] = [];
    for await (const chunk of await session.downloadMessage('Unread', 2)) chunks.push(chunk as Buffer);
    assert.ok(Buffer.concat(chunks).equals(items[1]?.content as Buffer));
    await rejectsWith(session.downloadMessage('Unread', 99), 'ITEM_VANISHED');

    const check = await inspect();
    await check.mailboxOpen('Unread', { readOnly: true });
    for await (const m of check.fetch('1:*', { uid: true, flags: true }, { uid: true })) assert.ok(!m.flags?.has('\\Seen'), `UID ${m.uid} still unseen`);
    await check.logout();
  });

  test('searchByMessageId, searchBySize, setFlags and fetchFlags with CHANGEDSINCE', async () => {
    const content = message('findme');
    const id = /Message-ID: (<[^>]+>)/.exec(content.toString())?.[1] as string;
    await session.createFolder('Search');
    await session.append('Search', [content, message('other')].map((c) => ({ content: c, flags: [], internalDate: new Date() })));
    assert.deepEqual(await session.searchByMessageId('Search', id), [1]);
    assert.deepEqual(await session.searchByMessageId('Search', '<absent@cutover.test>'), []);
    assert.deepEqual(await session.searchBySize('Search', content.length), [1]);

    const before = await session.status('Search', { condstore: true });
    await session.setFlags('Search', [2], ['\\Flagged', '$Done', '\\Recent']);
    const changed = [];
    for await (const f of session.fetchFlags('Search', before.highestModseq)) changed.push(f);
    assert.deepEqual(changed.map((f) => [f.uid, [...f.flags].sort()]), [[2, ['$Done', '\\Flagged']]]);
    const all = [];
    for await (const f of session.fetchFlags('Search', null)) all.push(f.uid);
    assert.deepEqual(all, [1, 2]);

    // Several UIDs in one STORE (and one that does not exist, which the server ignores); listing from a UID.
    await session.append('Search', [message('third'), message('fourth')].map((c) => ({ content: c, flags: [], internalDate: new Date() })));
    assert.equal(await session.setFlags('Search', [4, 1, 3, 99], ['\\Seen'], before.uidValidity), true);
    assert.equal(await session.setFlags('Search', [2], ['\\Deleted'], before.uidValidity + 1n), false, 'another UIDVALIDITY: nothing stored');
    const flagsNow = new Map<number, string[]>();
    for await (const f of session.fetchFlags('Search', null)) flagsNow.set(f.uid, [...f.flags].sort());
    assert.deepEqual([...flagsNow].sort(([a], [b]) => a - b), [[1, ['\\Seen']], [2, ['$Done', '\\Flagged']], [3, ['\\Seen']], [4, ['\\Seen']]]);
    assert.deepEqual((await session.listUids('Search', 3)).uids, [3, 4]);
    assert.deepEqual((await session.listUids('Search', 9)).uids, [], 'n:* names the highest UID even below n; it is filtered out');
    assert.deepEqual((await session.listUids('Search', 1)).uids, [1, 2, 3, 4]);
  });
});

test('a server without MULTIAPPEND, LIST-STATUS, CONDSTORE, ESEARCH: single APPENDs, STATUS per folder', async () => {
  const session = await openImapSession(endpoint({ port: plainServer.port }));
  try {
    assert.ok(!session.info.capabilities.has('MULTIAPPEND') && !session.info.capabilities.has('LIST-STATUS'));
    await session.createFolder('Old/Style');
    const result = await session.append('Old/Style', [message('p1'), Buffer.alloc(0), message('p2')].map((content) => ({ content, flags: ['\\Seen'], internalDate: new Date() })));
    assert.deepEqual(result.results.map((r) => ('uid' in r ? r.uid : r.error.code)), [1, 'ITEM_REJECTED', 2]);
    const all = await session.statusAll(['INBOX', 'Old/Style'], { condstore: true });
    assert.equal(all.get('Old/Style')?.messages, 2);
    assert.equal(all.get('Old/Style')?.highestModseq, null);
    assert.deepEqual((await session.listUids('Old/Style')).uids, [1, 2]);
  } finally {
    await session.close();
  }
});

test('without LIST-STATUS: STATUS of many folders is pipelined; a missing folder is still FOLDER_NOT_FOUND', async () => {
  const proxy = await startFaultProxy(plainServer.port);
  const session = await openImapSession(endpoint({ port: proxy.port }));
  try {
    const names = ['Pipe/one', 'Pipe/"quoted"', 'Pipe/Été', 'Pipe/back\\slash'];
    for (const name of names) await session.createFolder(name);
    await session.append('Pipe/Été', [{ content: message('s1'), flags: [], internalDate: new Date() }, { content: message('s2'), flags: [], internalDate: new Date() }]);
    proxy.takeCommandLog();
    const all = await session.statusAll(['INBOX', ...names], { condstore: false });
    assert.deepEqual([...all.keys()].sort(), ['INBOX', ...names].sort());
    assert.equal(all.get('Pipe/Été')?.messages, 2);
    assert.equal(all.get('Pipe/one')?.messages, 0);
    const statuses = proxy.takeCommandLog().filter((c) => c.command.startsWith('STATUS '));
    assert.equal(statuses.length, 5, JSON.stringify(statuses));
    // One request: four sub-commands tagged T.1 … T.4, the last one ImapFlow's own tag T.
    const last = statuses.at(-1)?.tag ?? '';
    assert.deepEqual(statuses.map((c) => c.tag), [1, 2, 3, 4].map((k) => `${last}.${k}`).concat(last));

    await assert.rejects(session.statusAll(['Pipe/one', 'Pipe/none', 'INBOX'], { condstore: false }), (err) => isAppError(err) && err.code === 'FOLDER_NOT_FOUND');
  } finally {
    await session.close();
    await proxy.close();
  }
});

test('without LITERAL+: MULTIAPPEND with synchronizing literals, a refused batch re-sent singly, a quoted folder name', async () => {
  const session = await openImapSession(endpoint({ port: syncServer.port }));
  try {
    assert.ok(!session.info.capabilities.has('LITERAL+') && session.info.capabilities.has('MULTIAPPEND'));
    const folder = 'He said "hi"';
    await session.createFolder(folder);
    const contents = [message('tiny'), message('mid', 'm'.repeat(5000)), message('large', 'L'.repeat(200_000)), message('last')];
    const items = contents.map((content) => ({ content, flags: ['\\Seen'], internalDate: new Date('2020-01-01T00:00:00Z') }));
    const multi = await session.append(folder, items);
    assert.deepEqual(multi.results.map((r) => ('uid' in r ? r.uid : r.error.code)), [1, 2, 3, 4]);
    // An empty message makes Dovecot refuse the whole MULTIAPPEND; the single APPENDs that follow also wait for `+`.
    const mixed = await session.append(folder, [message('m1', 'q'.repeat(6000)), Buffer.alloc(0), message('m2')].map((content) => ({ content, flags: [], internalDate: new Date() })));
    assert.deepEqual(mixed.results.map((r) => ('uid' in r ? r.uid : r.error.code)), [5, 'ITEM_REJECTED', 6]);
    const check = await connectImap({ host: syncServer.host, port: syncServer.port, user: 'alice', password: 'alice-pw' });
    await check.mailboxOpen(folder, { readOnly: true });
    const got: Buffer[] = [];
    for await (const m of check.fetch('1:4', { uid: true, source: true }, { uid: true })) got.push(m.source as Buffer);
    await check.logout();
    assert.equal(got.length, 4);
    got.forEach((source, i) => assert.ok(source.equals(contents[i] as Buffer), `message ${i + 1} byte-identical`));
  } finally {
    await session.close();
  }
});

test('close() logs out, and never throws on a dead connection', async () => {
  const proxy = await startFaultProxy(server.port);
  try {
    const session = await openImapSession(endpoint({ port: proxy.port }));
    proxy.cutAll();
    await new Promise((r) => setTimeout(r, 100));
    await rejectsWith(session.status('INBOX', { condstore: false }), 'IMAP_CONNECTION_LOST');
    await session.close();
    await session.close();
  } finally {
    await proxy.close();
  }
});
