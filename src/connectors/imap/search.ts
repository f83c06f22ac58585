/**
 * UID SEARCH (RFC 3501 §6.4.4) in a folder opened read-only: all UIDs, by Message-ID, by size.
 * With ESEARCH (RFC 4731) results come back as a compact uid-set (`RETURN (ALL)`), which keeps the
 * response of a 100,000-message folder to a few bytes instead of one number per message.
 * Sent through `exec()`: ImapFlow's search() returns `false` on a NO.
 */
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../core/app-error.ts';
import { mapImapError } from './map-imap-error.ts';
import { execCommand, expandSequenceSet, nodeText, type OutAttribute, type WireAttribute, type WireResponse } from './imap-wire.ts';
import { withFolder } from './select-folder.ts';

/** Runs `UID SEARCH [RETURN (ALL)] criteria` in the selected folder; UIDs ascending. */
async function uidSearch(client: ImapFlow, capabilities: ReadonlySet<string>, path: string, criteria: readonly OutAttribute[]): Promise<number[]> {
  const esearch = capabilities.has('ESEARCH');
  const found: number[] = [];
  const onSearch = (untagged: WireResponse): void => {
    for (const attr of untagged.attributes ?? []) {
      const text = nodeText(attr);
      if (text !== null && /^\d+$/.test(text)) found.push(Number(text));
    }
  };
  const onEsearch = (untagged: WireResponse): void => {
    const attrs: readonly WireAttribute[] = untagged.attributes ?? [];
    for (let i = 0; i < attrs.length - 1; i++) {
      if (nodeText(attrs[i])?.toUpperCase() === 'ALL') {
        const set = expandSequenceSet(nodeText(attrs[i + 1]) ?? '');
        if (set === null) throw new AppError('IMAP_PROTOCOL_ERROR', 'Unparseable ESEARCH ALL set', { details: { operation: 'search', path } });
        found.push(...set);
      }
    }
  };
  const args: OutAttribute[] = esearch ? [{ type: 'ATOM', value: 'RETURN' }, [{ type: 'ATOM', value: 'ALL' }], ...criteria] : [...criteria];
  try {
    await execCommand(client, 'UID SEARCH', args, { SEARCH: onSearch, ESEARCH: onEsearch });
  } catch (err) {
    throw mapImapError(err, { operation: 'search', path });
  }
  return [...new Set(found)].sort((a, b) => a - b);
}

/**
 * All UIDs of `path`, ascending, with the folder's UIDVALIDITY; with `fromUid`, only those at or above
 * it (`UID SEARCH UID n:*`). `n:*` always matches the folder's highest UID even when it is below n
 * (RFC 3501 §6.4.8: `*` is the largest UID in use, and `a:b` is the range between them in either
 * order), so the result is filtered here.
 */
// No shortcut on an empty `exists`: on a connection that appended to the selected folder, ImapFlow's
// count can lag until the server's next untagged EXISTS, and a wrong "empty" would cause a duplicate.
export async function listUids(client: ImapFlow, capabilities: ReadonlySet<string>, path: string, fromUid?: number): Promise<{ uidValidity: bigint; uids: number[] }> {
  const from = fromUid !== undefined && Number.isSafeInteger(fromUid) && fromUid > 1 ? fromUid : null;
  const criteria: OutAttribute[] = from === null ? [{ type: 'ATOM', value: 'ALL' }] : [{ type: 'ATOM', value: 'UID' }, { type: 'SEQUENCE', value: `${from}:*` }];
  return withFolder(client, path, 'read-only', async (mailbox) => {
    const uids = await uidSearch(client, capabilities, path, criteria);
    return { uidValidity: mailbox.uidValidity, uids: from === null ? uids : uids.filter((uid) => uid >= from) };
  });
}

/**
 * UIDs whose Message-ID header contains `messageId` (SEARCH HEADER is a substring match, RFC 3501
 * §6.4.4; with the angle brackets included that is as good as equality). Non-ASCII ids are sent as a
 * UTF-8 literal with `CHARSET UTF-8`.
 */
export async function searchByMessageId(client: ImapFlow, capabilities: ReadonlySet<string>, path: string, messageId: string): Promise<number[]> {
  if (messageId.trim() === '' || /[\r\n\0]/.test(messageId)) {
    throw new AppError('ITEM_REJECTED', 'A Message-ID to search for must be non-empty without CR, LF or NUL', { details: { operation: 'search', path } });
  }
  const ascii = /^[\x20-\x7e]*$/.test(messageId);
  const criteria: OutAttribute[] = [
    ...(ascii ? [] : [{ type: 'ATOM', value: 'CHARSET' } as const, { type: 'ATOM', value: 'UTF-8' } as const]),
    { type: 'ATOM', value: 'HEADER' },
    { type: 'STRING', value: 'Message-ID' },
    ascii ? { type: 'STRING', value: messageId } : { type: 'LITERAL', value: Buffer.from(messageId, 'utf8') },
  ];
  return withFolder(client, path, 'read-only', () => uidSearch(client, capabilities, path, criteria));
}

/** UIDs with RFC822.SIZE exactly `size`: `LARGER size-1 SMALLER size+1` (both bounds are strict). */
export async function searchBySize(client: ImapFlow, capabilities: ReadonlySet<string>, path: string, size: number): Promise<number[]> {
  const n = Math.max(0, Math.floor(size));
  const criteria: OutAttribute[] = n > 0 ? [{ type: 'ATOM', value: 'LARGER' }, { type: 'ATOM', value: String(n - 1) }, { type: 'ATOM', value: 'SMALLER' }, { type: 'ATOM', value: String(n + 1) }] : [{ type: 'ATOM', value: 'SMALLER' }, { type: 'ATOM', value: '1' }];
  return withFolder(client, path, 'read-only', () => uidSearch(client, capabilities, path, criteria));
}
