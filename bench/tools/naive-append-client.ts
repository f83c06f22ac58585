/**
 * "A client that waits for each APPEND": the baseline of the 20 ms goal (issue 7). One ImapFlow
 * connection per side; for each source message in UID order: UID FETCH it, APPEND it with its flags and
 * INTERNALDATE using a synchronizing literal (RFC 3501 §7.5: wait for the server's "+" before sending
 * the bytes), wait for the tagged OK, then the next. No pipelining, no MULTIAPPEND, no LITERAL+: each
 * message costs three round trips (FETCH, APPEND up to "+", literal up to OK).
 *
 *   node bench/tools/naive-append-client.ts '<json {source, target}>'
 */
import { ImapFlow } from 'imapflow';
import type { Account } from './types.ts';

function client(a: Account): ImapFlow {
  return new ImapFlow({ host: a.host, port: a.port, secure: false, doSTARTTLS: false, auth: { user: a.user, pass: a.password }, logger: false, disableAutoIdle: true, disableBinary: true });
}

async function main(): Promise<void> {
  const { source, target } = JSON.parse(process.argv[2] ?? '{}') as { source: Account; target: Account };
  const from = client(source);
  const to = client(target);
  await Promise.all([from.connect(), to.connect()]);
  // ImapFlow sends small literals non-synchronizing when the server has LITERAL+ or LITERAL- (RFC 7888);
  // without them in its view of the capabilities, every APPEND waits for the continuation.
  to.capabilities.delete('LITERAL+');
  to.capabilities.delete('LITERAL-');
  let copied = 0;
  try {
    for (const folder of await from.list()) {
      if (folder.flags.has('\\Noselect') || folder.flags.has('\\NonExistent')) continue;
      if (folder.path.toUpperCase() !== 'INBOX') {
        try {
          await to.mailboxCreate(folder.path);
        } catch (err) {
          // Already there (a parent created implicitly, or INBOX): RFC 3501 §6.3.3 answers NO.
          if (!/ALREADYEXISTS|already exists/i.test(String((err as { responseText?: string }).responseText ?? err))) throw err;
        }
      }
      const box = await from.mailboxOpen(folder.path, { readOnly: true });
      if (box.exists === 0) continue;
      const uids = (await from.search({ all: true }, { uid: true })) || [];
      for (const uid of uids) {
        const msg = await from.fetchOne(String(uid), { uid: true, source: true, flags: true, internalDate: true }, { uid: true });
        if (!msg || !msg.source) throw new Error(`no message at ${folder.path} uid ${uid}`);
        const flags = [...(msg.flags ?? [])].filter((f) => f !== '\\Recent');
        const date = msg.internalDate instanceof Date ? msg.internalDate : new Date(msg.internalDate ?? 0);
        const result = await to.append(folder.path, msg.source, flags, date);
        if (!result) throw new Error(`APPEND to ${folder.path} failed`);
        copied++;
      }
    }
  } finally {
    await Promise.all([from.logout(), to.logout()]);
  }
  process.stdout.write(JSON.stringify({ copied }) + '\n');
}

await main();
