import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from './error-codes.ts';

// STYLE.md: every error code is documented; a code missing from docs/errors.md fails this test.
test('every error code is documented in docs/errors.md', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const missing = Object.keys(ERROR_CODES).filter((code) => !doc.includes(`\`${code}\``));
  assert.deepEqual(missing, [], `document these codes in docs/errors.md: ${missing.join(', ')}`);
});

test('codes are UPPER_SNAKE_CASE with a known retry class and an HTTP status', () => {
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, code);
    assert.ok(['transient', 'item', 'user'].includes(spec.retry), code);
    assert.ok(spec.http >= 400 && spec.http < 600, code);
    assert.ok(spec.hint.length > 10, code);
  }
});
