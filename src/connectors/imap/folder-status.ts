/**
 * STATUS of folders (RFC 3501 §6.3.10): MESSAGES, UIDNEXT, UIDVALIDITY and, with CONDSTORE,
 * HIGHESTMODSEQ (RFC 7162 §3.1.2.1). The engine's no-op delta costs exactly this.
 *
 * Many folders at once use LIST-STATUS (RFC 5819): `LIST "" "*" RETURN (STATUS (…))` answers for every
 * folder in one round trip, instead of one STATUS per folder; without it, STATUS commands are pipelined. Sent through `exec()` because ImapFlow's
 * STATUS returns `false` on a NO and its LIST-STATUS fallback swallows per-folder errors.
 */
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../core/app-error.ts';
import { isServerRefusal, mapImapError } from './map-imap-error.ts';
import { chunks } from '../../core/chunks.ts';
import { execCommand, nodeText, utf8Path, wirePath, type OutAttribute, type WireAttribute, type WireResponse } from './imap-wire.ts';
import { quoteMailbox } from './raw-append.ts';
import { execRawPipeline, type RawPipeline } from './raw-command.ts';
import type { FolderStatusData, FolderStatusOptions } from './types.ts';

/** The status data items asked for; HIGHESTMODSEQ only with CONDSTORE. */
function statusItemNames(capabilities: ReadonlySet<string>, options: FolderStatusOptions): string[] {
  const names = ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY'];
  if (options.condstore && capabilities.has('CONDSTORE')) names.push('HIGHESTMODSEQ');
  return names;
}

function statusItems(capabilities: ReadonlySet<string>, options: FolderStatusOptions): OutAttribute[] {
  return statusItemNames(capabilities, options).map((value): OutAttribute => ({ type: 'ATOM', value }));
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
  // differently): pipelined STATUS commands, then one STATUS each for any the pipeline left without an
  // answer, which reports a missing folder as an error rather than leaving it out.
  const rest = folders.filter((path) => !out.has(path));
  if (rest.length > 1) for (const [path, status] of await pipelinedStatus(client, capabilities, rest, options)) out.set(path, status);
  for (const path of wanted) {
    if (!out.has(path)) out.set(path, await folderStatus(client, capabilities, path, options));
  }
  return out;
}

/** STATUS commands written at once: a bounded burst for the server's input buffer. */
const STATUS_PIPELINE_MAX = 100;

/**
 * STATUS of `paths` as pipelined commands (RFC 3501 §5.5: STATUS does not depend on another STATUS),
 * up to STATUS_PIPELINE_MAX per request: one round trip per hundred folders instead of one per folder,
 * on servers without LIST-STATUS (Gmail, Microsoft 365). Returns what was answered; a folder refused
 * (NO) or not answered is left to the caller's one-by-one STATUS, which names its error.
 */
async function pipelinedStatus(client: ImapFlow, capabilities: ReadonlySet<string>, paths: readonly string[], options: FolderStatusOptions): Promise<Map<string, FolderStatusData>> {
  const found = new Map<string, FolderStatusData>();
  const items = `(${statusItemNames(capabilities, options).join(' ')})`;
  for (const part of chunks(paths, STATUS_PIPELINE_MAX)) {
    const asked = new Set<string>();
    const lines: string[] = [];
    for (const path of part) {
      const quoted = quoteMailbox(wirePath(client, path));
      if (quoted === null) continue; // a name only a literal can carry: the one-by-one STATUS sends it
      asked.add(path);
      lines.push(`STATUS ${quoted} ${items}\r\n`);
    }
    if (lines.length < 2) continue;
    const subTags = new Set<string>();
    const pipeline: RawPipeline = {
      summary: `STATUS (${lines.length} pipelined commands)`,
      start(tag, out) {
        const tags = lines.map((_, k) => (k === lines.length - 1 ? tag : `${tag}.${k + 1}`));
        for (const subTag of tags.slice(0, -1)) subTags.add(subTag);
        out.write([Buffer.from(lines.map((line, k) => `${tags[k] as string} ${line}`).join(''), 'utf8')]);
      },
      // STATUS carries no literal: a `+` would be a confused server, and writing anything would desync.
      continuation() {},
      tagged(line) {
        const space = line.indexOf(0x20);
        return subTags.has(line.toString('latin1', 0, space === -1 ? line.length : space));
      },
    };
    try {
      await execRawPipeline(client, 'STATUS', pipeline, {
        STATUS: (untagged) => {
          const status = parseStatus(client, untagged);
          if (status && asked.has(status.path)) found.set(status.path, status);
        },
      });
    } catch (err) {
      // The last folder refused (NO/BAD): the one-by-one STATUS asks again and names the error.
      if (!isServerRefusal(err)) throw mapImapError(err, { operation: 'status' });
    }
  }
  return found;
}
