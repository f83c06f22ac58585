import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../core/app-error.ts';
import { decodeMutf7, encodeMutf7 } from './mutf7.ts';

void test('modified UTF-7 both ways (RFC 3501 §5.1.3)', () => {
  const cases: Array<[utf8: string, mutf7: string]> = [
    ['INBOX', 'INBOX'],
    ['', ''],
    ['été', '&AOk-t&AOk-'],
    ['&', '&-'],
    ['Tom & Jerry', 'Tom &- Jerry'],
    // The RFC's own example.
    ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
    ['Projets/Été 2001', 'Projets/&AMk-t&AOk- 2001'],
    ['Éléments envoyés', '&AMk-l&AOk-ments envoy&AOk-s'],
    ['Entwürfe', 'Entw&APw-rfe'],
    // Outside the BMP: a surrogate pair in one shift sequence.
    ['📁 Archive', '&2D3cwQ- Archive'],
    // Control characters are not "printable": they are encoded too.
    ['a\tb', 'a&AAk-b'],
    ['&&é&', '&-&-&AOk-&-'],
  ];
  for (const [utf8, mutf7] of cases) {
    assert.equal(encodeMutf7(utf8), mutf7, `encode ${utf8}`);
    assert.equal(decodeMutf7(mutf7), utf8, `decode ${mutf7}`);
  }
});

void test('decoder accepts two adjacent shift sequences', () => {
  assert.equal(decodeMutf7('&AOk-&AOk-'), 'éé');
});

void test('decoder rejects malformed names with IMAP_PROTOCOL_ERROR', () => {
  const bad = ['&AOk', '&AO!-', 'é', '&A-', '&AOl-', '&2D0-', '&3D0-', '&AOkA-', 'a\u0001b'];
  for (const name of bad) {
    assert.throws(
      () => decodeMutf7(name),
      (err: unknown) => err instanceof AppError && err.code === 'IMAP_PROTOCOL_ERROR' && err.retry === 'item',
      name,
    );
  }
});
