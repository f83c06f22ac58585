/**
 * LIST of every folder with its delimiter, attributes, SPECIAL-USE (RFC 6154) and subscription.
 * ImapFlow asks `LIST "" "*" RETURN (SUBSCRIBED SPECIAL-USE)` where LIST-EXTENDED (RFC 5258) is
 * offered, LSUB otherwise, and decodes modified UTF-7 names (RFC 3501 §5.1.3) to UTF-8.
 */
import type { ImapFlow } from 'imapflow';
import { mapImapError } from './map-imap-error.ts';
import type { FolderData, SpecialUse } from './types.ts';

const SPECIAL_USES: readonly SpecialUse[] = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive', '\\All', '\\Flagged'];

/**
 * The special-use attribute the *server* announced. ImapFlow also guesses from names ("Sent Items");
 * those guesses are ignored here: folder mapping only trusts names behind an explicit option.
 */
function announcedSpecialUse(flags: ReadonlySet<string>): SpecialUse | null {
  for (const use of SPECIAL_USES) {
    for (const flag of flags) if (flag.toLowerCase() === use.toLowerCase()) return use;
  }
  return null;
}

export async function listFolders(client: ImapFlow): Promise<FolderData[]> {
  let entries;
  try {
    entries = await client.list();
  } catch (err) {
    throw mapImapError(err, { operation: 'list' });
  }
  return entries.map((entry): FolderData => {
    const flags = [...entry.flags];
    const lower = new Set(flags.map((f) => f.toLowerCase()));
    return {
      path: entry.path,
      // RFC 3501 §6.3.8: NIL delimiter means a flat namespace; ImapFlow reports it as an empty value.
      delimiter: entry.delimiter ? entry.delimiter : null,
      flags,
      specialUse: announcedSpecialUse(entry.flags),
      selectable: !lower.has('\\noselect') && !lower.has('\\nonexistent'),
      subscribed: entry.subscribed === true,
    };
  });
}
