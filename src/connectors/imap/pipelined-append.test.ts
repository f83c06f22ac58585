import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { buildPipelinedCommands, createAppendPipeline, parseTaggedLine, pipelinedAppend, type PipelinedCommand } from './pipelined-append.ts';
import type { RawWriter } from './raw-command.ts';
import type { AppendItem } from './types.ts';

const DATE = '"02-Jan-2024 03:04:05 +0000"';
const item = (content: string, flags: string[] = []): AppendItem => ({ content: Buffer.from(content), flags, internalDate: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) });
const line = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Collects what a pipeline writes, one string per write() call. */
function recorder(): RawWriter & { writes: string[] } {
  const writes: string[] = [];
  return { writes, write: (pieces) => void writes.push(Buffer.concat(pieces).toString('latin1')) };
}

test('commands: literal forms per mode (RFC 7888), flags filtered, the message buffer passed through', () => {
  const big = item('y'.repeat(4097));
  const [a, b] = buildPipelinedCommands('"F"', [item('abc', ['\\Seen', '\\Recent', '$Label1']), big], 'minus') as [PipelinedCommand, PipelinedCommand];
  assert.equal(a.header, `APPEND "F" (\\Seen $Label1) ${DATE} {3+}\r\n`);
  assert.equal(a.sync, false);
  assert.equal(b.header, `APPEND "F" () ${DATE} {4097}\r\n`);
  assert.equal(b.sync, true);
  assert.equal(b.literal, big.content);
  assert.ok(buildPipelinedCommands('"F"', [big], 'plus').every((c) => !c.sync && c.header.endsWith('{4097+}\r\n')));
  assert.ok(buildPipelinedCommands('"F"', [item('a')], 'sync').every((c) => c.sync && c.header.endsWith('{1}\r\n')));
});

test('tagged lines: status, response code, text; anything else is not one', () => {
  assert.deepEqual(parseTaggedLine(line('1A.3 OK [APPENDUID 38505 3955] Append completed.')), { tag: '1A.3', status: 'OK', code: ['APPENDUID', '38505', '3955'], text: 'Append completed.' });
  assert.deepEqual(parseTaggedLine(line('7.1 no [trycreate] Mailbox doesn\'t exist: X')), { tag: '7.1', status: 'NO', code: ['TRYCREATE'], text: 'Mailbox doesn\'t exist: X' });
  assert.deepEqual(parseTaggedLine(line('7 BAD')), { tag: '7', status: 'BAD', code: [], text: '' });
  assert.equal(parseTaggedLine(line('7 OKAY fine')), null);
  assert.equal(parseTaggedLine(line('+ OK')), null);
});

test('LITERAL+: every command written at once, sub-tags T.1…, the last with the request tag', () => {
  const { pipeline, answers } = createAppendPipeline(buildPipelinedCommands('"F"', [item('one'), item(''), item('three')], 'plus'), 's');
  const out = recorder();
  pipeline.start('A7', out);
  assert.deepEqual(out.writes, [
    `A7.1 APPEND "F" () ${DATE} {3+}\r\none\r\nA7.2 APPEND "F" () ${DATE} {0+}\r\n\r\nA7 APPEND "F" () ${DATE} {5+}\r\nthree\r\n`,
  ]);
  assert.equal(pipeline.tagged(line('A7.2 NO Can\'t save a zero byte message.'), out), true, 'answers arrive in any order of consumption');
  assert.equal(pipeline.tagged(line('A7.1 OK [APPENDUID 9 1] Append completed.'), out), true);
  assert.equal(pipeline.tagged(line('A7 OK done'), out), false, 'the request tag is left to ImapFlow');
  assert.equal(pipeline.tagged(line('Z9 OK stray'), out), false, 'an unknown tag is left to ImapFlow');
  pipeline.continuation(out);
  assert.equal(out.writes.length, 1, 'nothing more is ever written');
  assert.deepEqual(answers.map((a) => a?.status), ['OK', 'NO', undefined]);
});

test('synchronizing: one command waits for `+`; literal, CRLF and the next header go out together', () => {
  const { pipeline, answers } = createAppendPipeline(buildPipelinedCommands('"F"', [item('one'), item('two'), item('three')], 'sync'), 's');
  const out = recorder();
  pipeline.start('B', out);
  pipeline.continuation(out);
  assert.equal(pipeline.tagged(line('B.1 OK [APPENDUID 9 1] ok'), out), true);
  pipeline.continuation(out);
  pipeline.tagged(line('B.2 OK [APPENDUID 9 2] ok'), out);
  pipeline.continuation(out);
  pipeline.continuation(out); // a stray `+`: nothing waits, nothing is written
  assert.deepEqual(out.writes, [
    `B.1 APPEND "F" () ${DATE} {3}\r\n`,
    `one\r\nB.2 APPEND "F" () ${DATE} {3}\r\n`,
    `two\r\nB APPEND "F" () ${DATE} {5}\r\n`,
    'three\r\n',
  ]);
  assert.deepEqual(answers.map((a) => a?.code[2]), ['1', '2', undefined]);
});

test('synchronizing: a command refused before `+` (first, middle, last) never sends its literal', () => {
  const { pipeline } = createAppendPipeline(buildPipelinedCommands('"F"', [item('one'), item('two'), item('three'), item('four')], 'sync'), 's');
  const out = recorder();
  pipeline.start('C', out);
  pipeline.tagged(line('C.1 NO [TRYCREATE] Mailbox doesn\'t exist: F'), out); // first, instead of `+`
  pipeline.continuation(out);
  pipeline.tagged(line('C.2 OK [APPENDUID 9 1] ok'), out);
  pipeline.tagged(line('C.3 NO [LIMIT] Mail size is larger than the maximum size'), out); // middle
  pipeline.tagged(line('C.3 NO again'), out); // a duplicate answer changes nothing
  // The last command (tag C) refused before `+` settles the request in ImapFlow: nothing follows.
  assert.deepEqual(out.writes, [
    `C.1 APPEND "F" () ${DATE} {3}\r\n`,
    `C.2 APPEND "F" () ${DATE} {3}\r\n`,
    `two\r\nC.3 APPEND "F" () ${DATE} {5}\r\n`,
    `C APPEND "F" () ${DATE} {4}\r\n`,
  ]);
});

test('LITERAL-: small literals flow on, a large one waits, then the rest flows again', () => {
  const { pipeline } = createAppendPipeline(buildPipelinedCommands('"F"', [item('a'), item('L'.repeat(5000)), item('b'), item('c')], 'minus'), 's');
  const out = recorder();
  pipeline.start('D', out);
  assert.equal(out.writes[0], `D.1 APPEND "F" () ${DATE} {1+}\r\na\r\nD.2 APPEND "F" () ${DATE} {5000}\r\n`);
  pipeline.tagged(line('D.1 OK [APPENDUID 9 1] ok'), out);
  assert.equal(out.writes.length, 1, 'an answer to an earlier command writes nothing');
  pipeline.continuation(out);
  assert.equal(out.writes[1], `${'L'.repeat(5000)}\r\nD.3 APPEND "F" () ${DATE} {1+}\r\nb\r\nD APPEND "F" () ${DATE} {1+}\r\nc\r\n`);
});

/**
 * Just enough of ImapFlow's internals (send, write, handleResponse, exec; imap-flow.js 2.1.2) for
 * raw-command.ts to drive a pipeline, with the server's lines fed by the test.
 */
class FakeImapFlow {
  wire = '';
  commandParts: Buffer[] = [];
  currentRequest: { tag: string; sent?: boolean; options?: object; resolve: (v: unknown) => void; reject: (e: unknown) => void } | false = false;
  rawSensitiveCommand = false;
  writeSocket = { cork: (): void => undefined, uncork: (): void => undefined };
  id = 'fake';
  log = { debug: (): void => undefined };
  tagCounter = 0;
  write(chunk: Buffer | string): void {
    this.wire += (Buffer.isBuffer(chunk) ? chunk.toString('latin1') : chunk) + (this.commandParts.length === 0 ? '\r\n' : '');
  }
  send(_data: unknown): Promise<void> {
    return Promise.reject(new Error('only raw pipelines in this fake'));
  }
  exec(command: string, _attributes: false, options: object): Promise<unknown> {
    const tag = (++this.tagCounter).toString(16).toUpperCase();
    return new Promise((resolve, reject) => {
      this.currentRequest = { tag, options, resolve, reject };
      void this.send.call(this, { tag, command, options });
    });
  }
  handleResponse(data: { payload: Buffer }): Promise<boolean> {
    const text = data.payload.toString('latin1');
    const request = this.currentRequest;
    if (text.startsWith('+') && this.commandParts.length > 0) this.write(this.commandParts.shift() as Buffer);
    const answer = parseTaggedLine(data.payload);
    if (request && answer && answer.tag === request.tag) {
      this.currentRequest = false;
      if (answer.status === 'OK') request.resolve({ response: { tag: answer.tag, command: 'OK', attributes: [{ type: 'ATOM', section: answer.code.map((value) => ({ type: 'ATOM', value })) }] }, next: () => undefined });
      else request.reject(Object.assign(new Error('Command failed'), { responseStatus: answer.status, responseText: answer.text, serverResponseCode: answer.code[0] }));
    }
    return Promise.resolve(true);
  }
  async feed(...lines: string[]): Promise<void> {
    for (const l of lines) await this.handleResponse({ payload: line(l) });
  }
  drop(): void {
    if (this.currentRequest) this.currentRequest.reject(Object.assign(new Error('Connection closed'), { code: 'NoConnection' }));
    this.currentRequest = false;
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('through raw-command: per-item results and codes, the last refused before `+` writes nothing more', async () => {
  const fake = new FakeImapFlow();
  const done = pipelinedAppend(fake as unknown as ImapFlow, 'sync', '"F"', 'F', [item('one'), item('two'), item('three')]);
  await tick();
  await fake.feed('+ OK', '1.1 OK [APPENDUID 77 5] ok', '1.2 NO [OVERQUOTA] Quota exceeded');
  const before = fake.wire;
  await fake.feed('1 NO [LIMIT] Mail size is larger than the maximum size allowed');
  const result = await done;
  assert.equal(fake.wire, before, 'nothing written after the last answer');
  assert.equal(fake.wire.split('\r\n').filter((l) => / APPEND /.test(l)).length, 3);
  assert.ok(!fake.wire.includes('two') && !fake.wire.includes('three'), 'refused literals never sent');
  assert.deepEqual(fake.commandParts, [], 'ImapFlow continues from an empty continuation queue');
  assert.equal(result.uidValidity, 77n);
  assert.deepEqual(result.results.map((r) => ('uid' in r ? r.uid : r.error.code)), [5, 'TARGET_QUOTA_EXCEEDED', 'ITEM_TOO_LARGE']);
  const quota = result.results[1];
  assert.ok(quota && 'error' in quota);
  assert.equal(quota.error.details['responseCode'], 'OVERQUOTA');
  assert.equal(quota.error.details['status'], 'NO');
});

test('through raw-command: a dropped connection makes the unanswered items transient', async () => {
  const fake = new FakeImapFlow();
  const done = pipelinedAppend(fake as unknown as ImapFlow, 'plus', '"F"', 'F', [item('a'), item('b'), item('c'), item('d')]);
  await tick();
  await fake.feed('1.1 OK [APPENDUID 3 1] ok', '1.2 NO [TRYCREATE] gone', '+ OK');
  fake.drop();
  const result = await done;
  assert.deepEqual(result.results.map((r) => ('uid' in r ? r.uid : r.error.code)), [1, 'FOLDER_NOT_FOUND', 'IMAP_CONNECTION_LOST', 'IMAP_CONNECTION_LOST']);
  assert.equal(fake.wire.split('\r\n').filter((l) => / APPEND /.test(l)).length, 4, 'all written at once; the stray `+` wrote nothing');
});

test('through raw-command: a server that answers the last before an earlier one leaves that one in doubt; throttling maps', async () => {
  const fake = new FakeImapFlow();
  const done = pipelinedAppend(fake as unknown as ImapFlow, 'plus', '"F"', 'F', [item('a'), item('b'), item('c')]);
  await tick();
  await fake.feed('1.2 BAD Request is throttled. Suggested Backoff Time: 2500 milliseconds', '1 OK [APPENDUID 3 9] ok');
  const result = await done;
  const [first, second, third] = result.results;
  assert.ok(first && 'error' in first && second && 'error' in second && third && 'uid' in third);
  assert.equal(first.error.code, 'IMAP_PROTOCOL_ERROR');
  assert.equal(first.error.retry, 'transient');
  assert.equal(second.error.code, 'IMAP_THROTTLED');
  assert.equal(second.error.details['throttleMs'], 2500);
  assert.equal(third.uid, 9);
});
