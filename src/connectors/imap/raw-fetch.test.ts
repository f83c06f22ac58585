import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBodyFetch, type ParsedBody } from './raw-fetch.ts';

const line = (s: string): Buffer => Buffer.from(s, 'latin1');
const sourceOf = (parsed: ParsedBody): Buffer | null | undefined => (parsed && 'source' in parsed ? parsed.source : undefined);

test('UID and BODY[] literal in either order; the literal is the message', () => {
  const body = Buffer.from('Subject: x\r\n\r\nhi\r\n');
  assert.deepEqual(parseBodyFetch(line(`* 3 FETCH (UID 17 BODY[] {${body.length}}\r\n)`), [body]), { uid: 17, source: body });
  assert.deepEqual(parseBodyFetch(line(`* 3 FETCH (BODY[] {${body.length}}\r\n UID 17)`), [body]), { uid: 17, source: body });
});

test('keywords in any case (RFC 3501 §9)', () => {
  const body = Buffer.from('x');
  assert.deepEqual(parseBodyFetch(line('* 3 fetch (uid 17 body[] {1}\r\n)'), [body]), { uid: 17, source: body });
});

test('the right literal when another attribute comes first as a literal; literal8 and NIL; quoted', () => {
  const other = Buffer.from('ignored');
  const body = Buffer.from('B');
  assert.equal(sourceOf(parseBodyFetch(line(`* 1 FETCH (UID 2 BODY[HEADER] {7}\r\n BODY[] {1}\r\n)`), [other, body])), body);
  assert.equal(sourceOf(parseBodyFetch(line(`* 1 FETCH (UID 2 BODY[] ~{1}\r\n)`), [body])), body);
  assert.deepEqual(parseBodyFetch(line('* 1 FETCH (UID 2 BODY[] NIL)'), []), { uid: 2, source: null });
  assert.equal(sourceOf(parseBodyFetch(line('* 1 FETCH (UID 2 BODY[] "a \\"q\\"")'), []))?.toString(), 'a "q"');
});

test('a FETCH with a UID but no body it knows is handed back by UID; lines without a UID are left to ImapFlow', () => {
  assert.deepEqual(parseBodyFetch(line('* 4 FETCH (FLAGS (\\Seen) UID 9)'), []), { unparsedUid: 9 });
  assert.deepEqual(parseBodyFetch(line('* 4 FETCH (UID 9 BODY[] {5}\r\n)'), [Buffer.from('abc')]), { unparsedUid: 9 }, 'a literal of the wrong size');
  assert.equal(parseBodyFetch(line('* 4 FETCH (FLAGS (\\Seen))'), []), null);
  assert.equal(parseBodyFetch(line('* 4 EXPUNGE'), []), null);
  assert.equal(parseBodyFetch(line('* OK [UIDNEXT 5] FETCH (UID 1 BODY[] NIL)'), []), null);
});
