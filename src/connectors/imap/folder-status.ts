/**
 * STATUS of folders (RFC 3501 §6.3.10): MESSAGES, UIDNEXT, UIDVALIDITY and, with CONDSTORE,
 * HIGHESTMODSEQ (RFC 7162 §3.1.2.1). The engine's no-op delta costs exactly this.
 *
 * Many folders at once use LIST-STATUS (RFC 5819): `LIST "" "*" RETURN (STATUS (…))` answers for every
 * folder in one round trip, instead of one STATUS per folder. Sent through `exec()` because ImapFlow's
 * STATUS returns `false` on a NO and its LIST-STATUS fallback swallows per-folder errors.
 */
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../core/app-error.ts';
import { mapImapError } from './map-imap-error.ts';
import { execCommand, nodeText, utf8Path, wirePath, type OutAttribute, type WireAttribute, type WireResponse } from './imap-wire.ts';
import type { FolderStatusData, FolderStatusOptions } from './types.ts';

function statusItems(capabilities: ReadonlySet<string>, options: FolderStatusOptions): OutAttribute[] {
  const items: OutAttribute[] = [
    { type: 'ATOM', value: 'MESSAGES' },
    { type: 'ATOM', value: 'UIDNEXT' },
    { type: 'ATOM', value: 'UIDVALIDITY' },
  ];
  if (options.condstore && capabilities.has('CONDSTORE')) items.push({ type: 'ATOM', value: 'HIGHESTMODSEQ' });
  return items;
}

/** Parses `* STATUS mailbox (NAME value …)` into path and data; null when malformed. */
function parseStatus(client: ImapFlow, response: WireResponse): FolderStatusData | null {
  const name = nodeText(response.attributes?.[0]);
  const list = response.attributes?.[1];
  if (name === null || !Array.isArray(list)) return null;
  const values = new Map<string, string>();
  const items = list as readonly WireAttribute[];
  for (let i = 0; i + 1 < items.length; i += 2) {
    const key = nodeText(items[i]);
    const value = nodeText(items[i + 1]);
    if (key !== null && value !== null && /^\d{1,20}$/.test(value)) values.set(key.toUpperCase(), value);
  }
  const messages = values.get('MESSAGES');
  const uidNext = values.get('UIDNEXT');
  const uidValidity = values.get('UIDVALIDITY');
  if (messages === undefined || uidNext === undefined || uidValidity === undefined) return null;
  const modseq = values.get('HIGHESTMODSEQ');
  return {
    path: utf8Path(client, name),
    messages: Number(messages),
    uidNext: Number(uidNext),
    uidValidity: BigInt(uidValidity),
    // RFC 7162 §3.1.2.1: a mailbox without persistent mod-sequences reports 0 (or nothing).
    highestModseq: modseq !== undefined && modseq !== '0' ? BigInt(modseq) : null,
  };
}

async function isListed(client: ImapFlow, path: string): Promise<boolean> {
  try {
    const found = await client.list({ listOnly: true });
    return found.some((f) => f.path === path && !f.flags.has('\\NonExistent'));
  } catch (err) {
    throw mapImapError(err, { operation: 'list', path });
  }
}

/** STATUS of one folder; FOLDER_NOT_FOUND when it does not exist. */
export async function folderStatus(client: ImapFlow, capabilities: ReadonlySet<string>, path: string, options: FolderStatusOptions): Promise<FolderStatusData> {
  let result: FolderStatusData | null = null;
  try {
    await execCommand(client, 'STATUS', [{ type: 'ATOM', value: wirePath(client, path) }, statusItems(capabilities, options)], {
      STATUS: (untagged) => {
        result = parseStatus(client, untagged);
      },
    });
  } catch (err) {
    const mapped = mapImapError(err, { operation: 'status', path });
    // A missing folder gets `NO [NONEXISTENT]` (RFC 5530) from some servers, a bare NO from others
    // (Dovecot 2.3: "Mailbox doesn't exist"): ask LIST before calling it anything else.
    if (mapped.code === 'IMAP_COMMAND_FAILED' && mapped.details['status'] === 'NO' && !(await isListed(client, path))) {
      throw new AppError('FOLDER_NOT_FOUND', mapped.message, { cause: mapped, details: mapped.details });
    }
    throw mapped;
  }
  if (result === null) {
    throw new AppError('IMAP_PROTOCOL_ERROR', `STATUS ${path} returned no usable status data`, { details: { operation: 'status', path } });
  }
  // The untagged response names the folder as the server spells it; report the path we were asked for.
  return { ...(result as FolderStatusData), path };
}

/** STATUS of many folders: LIST-STATUS when offered (one round trip), else one STATUS per folder. */
export async function folderStatusAll(
  client: ImapFlow,
  capabilities: ReadonlySet<string>,
  folders: readonly string[],
  options: FolderStatusOptions,
): Promise<Map<string, FolderStatusData>> {
  const out = new Map<string, FolderStatusData>();
  if (folders.length === 0) return out;
  const wanted = new Set(folders);
  if (capabilities.has('LIST-STATUS') && folders.length > 1) {
    const seen = new Map<string, FolderStatusData>();
    try {
      await execCommand(
        client,
        'LIST',
        [
          { type: 'STRING', value: '' },
          { type: 'STRING', value: '*' },
          { type: 'ATOM', value: 'RETURN' },
          [{ type: 'ATOM', value: 'STATUS' }, statusItems(capabilities, options)],
        ],
        {
          LIST: () => undefined,
          STATUS: (untagged) => {
            const status = parseStatus(client, untagged);
            if (status) seen.set(status.path, status);
          },
        },
      );
    } catch (err) {
      throw mapImapError(err, { operation: 'status' });
    }
    for (const path of folders) {
      const status = seen.get(path);
      if (status) out.set(path, status);
    }
  }
  // Folders LIST-STATUS did not cover (no LIST-STATUS, \Noselect, a name the server spells
  // differently): one STATUS each, which reports a missing folder as an error rather than leaving it out.
  for (const path of wanted) {
    if (!out.has(path)) out.set(path, await folderStatus(client, capabilities, path, options));
  }
  return out;
}
