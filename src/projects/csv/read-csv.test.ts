import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCsv } from './read-csv.ts';

test('records know their first physical line through CRLF, LF, CR, blank lines and quoted line breaks', () => {
  const text = '\uFEFFa,b\r\n1,2\r\n\r\n"x\r\ny",3\r\n4\r\n5,6\n,,\n"p\nq\nr",7\rlast,8';
  const { records, error } = readCsv(text);
  assert.equal(error, null);
  assert.deepEqual(records.map((r) => [r.line, r.fields[0]]), [
    [1, 'a'], [2, '1'], [4, 'x\r\ny'], [6, '4'], [7, '5'], [9, 'p\nq\nr'], [12, 'last'],
  ]);
});

test('a broken quote stops the reading at the record where it starts', () => {
  const { records, error } = readCsv('a,b\n1,2\n3,"4\n5,6\n');
  assert.deepEqual(records.map((r) => r.line), [1, 2]);
  assert.equal(error?.line, 3);
  assert.match(error?.reason ?? '', /never closed/);
});
