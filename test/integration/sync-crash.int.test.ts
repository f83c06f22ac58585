/**
 * Crash safety (non-negotiable 4): `cutover sync` killed with SIGKILL at several points of a pass,
 * connections cut mid-APPEND, and answers lost after the server stored a batch. After each series
 * the final run must leave every source message on the target exactly once (content multiset per
 * folder), and the ledger must hold no item in doubt. Two series share large folders between
 * connections (`--split`), so kills and cuts also land while helper connections copy a folder's parts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startDovecot, type DovecotInstance } from '../helpers/dovecot.ts';
import { connectImap, corpusAsFolders, seedMailbox, type SeedFolder } from '../helpers/seed-mailbox.ts';
import { assertMailboxesEqual, snapshotMailbox } from '../helpers/mailbox-snapshot.ts';
import { collect, jsonOf, plainFlags, runCli, spawnCli } from '../helpers/run-cli.ts';
import { testDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { startFaultProxy } from '../helpers/fault-proxy.ts';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/mail');

interface Summary {
  status: string;
  counts: { copied: number; alreadyThere: number; skipped: number; failed: number };
  exitCode: number;
}

function corpus(): SeedFolder[] {
  const folders = [
    ...corpusAsFolders(join(FIXTURES, 'enron-scholtes-d')),
    ...corpusAsFolders(join(FIXTURES, 'mail-edge')).map((f) => ({ ...f, path: `edge/${f.path}` })),
  ];
  // Identical messages must survive crashes as two, not one and not three.
  const twin = folders[0]?.messages[0];
  assert.ok(twin);
  folders.push({ path: 'twins', messages: [twin, { ...twin }, { ...twin }] });
  return folders;
}

async function targetCount(endpoint: { host: string; port: number; user: string; password: string }): Promise<number> {
  const client = await connectImap(endpoint);
  try {
    let total = 0;
    for (const box of await client.list({ statusQuery: { messages: true } })) total += box.status?.messages ?? 0;
    return total;
  } finally {
    await client.logout();
  }
}

/** Starts a sync and kills it with SIGKILL once the target holds at least `threshold` messages. */
async function killWhenTargetHas(args: string[], env: NodeJS.ProcessEnv, threshold: number, target: Parameters<typeof targetCount>[0]): Promise<number> {
  const child = spawnCli(args, env);
  const done = collect(child);
  let seen = 0;
  while (child.exitCode === null) {
    seen = await targetCount(target).catch(() => seen);
    if (seen >= threshold) {
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 15));
  }
  const result = await done;
  assert.equal(result.signal, 'SIGKILL', `the run ended before it could be killed at ${threshold} (exit ${result.code}): ${result.stdout}${result.stderr}`);
  return seen;
}

async function ledgerStates(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM ledger_items GROUP BY state');
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  } finally {
    await client.end();
  }
}

describe('crash safety of cutover sync', () => {
  let source: DovecotInstance;
  let target: DovecotInstance;
  /** Without MULTIAPPEND, like Gmail or Exchange Online: the connector pipelines single APPENDs. */
  let plainTarget: DovecotInstance;
  const src = { user: 'src', password: 'src-pw' };
  const users = { a: 'pw-a', b: 'pw-b', c: 'pw-c' };
  let total = 0;
  const databases: TestDatabase[] = [];

  before(async () => {
    [source, target, plainTarget] = await Promise.all([
      startDovecot({ name: 'crash-src', users: { [src.user]: src.password } }),
      startDovecot({ name: 'crash-dst', users }),
      startDovecot({ name: 'crash-dst-plain', users, capabilities: 'IMAP4rev1 LITERAL+ UIDPLUS NAMESPACE ID ENABLE CONDSTORE SPECIAL-USE' }),
    ]);
    const folders = corpus();
    total = folders.reduce((n, f) => n + f.messages.length, 0);
    await seedMailbox({ host: source.host, port: source.port, ...src }, folders);
  });

  after(async () => {
    await Promise.all([source?.stop(), target?.stop(), plainTarget?.stop(), ...databases.map((d) => d.drop())]);
  });

  const compare = async (dst: { user: string; password: string }, on: DovecotInstance = target) => {
    const [s, t] = await Promise.all([
      snapshotMailbox({ host: source.host, port: source.port, ...src }),
      snapshotMailbox({ host: on.host, port: on.port, ...dst }),
    ]);
    assertMailboxesEqual(s, t);
  };

  test('killed with SIGKILL at several points (embedded database), then run again: nothing lost, nothing doubled', async () => {
    const dst = { user: 'a', password: users.a };
    const dataDir = mkdtempSync(join(tmpdir(), 'cutover-crash-'));
    const args = ['sync', ...plainFlags({ port: source.port, ...src }, { port: target.port, ...dst }), '--data-dir', dataDir, '--json', '--batch-messages', '25', '--connections', '2', '--split', '20'];
    const env = { DATABASE_URL: '' };
    const endpoint = { host: target.host, port: target.port, ...dst };
    const kills: number[] = [];
    for (const threshold of [1, Math.floor(total * 0.3), Math.floor(total * 0.6), Math.floor(total * 0.9)]) {
      kills.push(await killWhenTargetHas(args, env, threshold, endpoint));
    }
    assert.ok(kills.every((seen, i) => i === 0 || seen > (kills[i - 1] ?? 0)), `each run went further: ${kills.join(', ')}`);
    const final = await runCli(args, env);
    const summary = jsonOf<Summary>(final);
    assert.equal(final.code, 0, final.stdout + final.stderr);
    assert.equal(summary.counts.failed, 0);
    await compare(dst);
    const again = jsonOf<Summary>(await runCli(args, env));
    assert.equal(again.counts.copied, 0, 'a run after recovery copies nothing');
  });

  test('answers lost after the target stored a batch: found on the target, not appended again', async () => {
    const dst = { user: 'b', password: users.b };
    const db = await testDatabase('crash_swallow');
    databases.push(db);
    const proxy = await startFaultProxy(target.port);
    try {
      const args = ['sync', ...plainFlags({ port: source.port, ...src }, { port: proxy.port, ...dst }), '--json', '--batch-messages', '40', '--connections', '1'];
      // Let a few batches through, then lose the target's answer to the next APPEND.
      proxy.swallowAppendAnswer(3, 400);
      const result = await runCli(args, { DATABASE_URL: db.url });
      const summary = jsonOf<Summary>(result);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.ok(summary.counts.alreadyThere > 0, `the in-doubt batch was found on the target (${JSON.stringify(summary.counts)})`);
      assert.equal(summary.counts.copied + summary.counts.alreadyThere, total);
      await compare(dst);
      assert.deepEqual(await ledgerStates(db.url), { migrated: total });
    } finally {
      await proxy.close();
    }
  });

  test('connections cut mid-APPEND and killed runs, on an external PostgreSQL: the ledger ends with nothing in doubt', async () => {
    const dst = { user: 'c', password: users.c };
    const db = await testDatabase('crash_cut');
    databases.push(db);
    const proxy = await startFaultProxy(target.port);
    try {
      const args = ['sync', ...plainFlags({ port: source.port, ...src }, { port: proxy.port, ...dst }), '--json', '--batch-messages', '30', '--connections', '2', '--split', '30'];
      const env = { DATABASE_URL: db.url };
      const endpoint = { host: target.host, port: target.port, ...dst };
      await killWhenTargetHas(args, env, Math.floor(total * 0.25), endpoint);
      proxy.cutAfterUpstreamBytes(150_000);
      const cut = await runCli(args, env);
      // The cut is retried on a new connection inside the pass; the pass may finish or report it.
      assert.ok([0, 102, 111].includes(cut.code ?? -1), `unexpected exit ${cut.code}: ${cut.stdout}${cut.stderr}`);
      await killWhenTargetHas(args, env, Math.floor(total * 0.8), endpoint).catch(() => undefined);
      const final = await runCli(args, env);
      assert.equal(final.code, 0, final.stdout + final.stderr);
      await compare(dst);
      assert.deepEqual(await ledgerStates(db.url), { migrated: total });
    } finally {
      await proxy.close();
    }
  });

  test('a target without MULTIAPPEND (pipelined APPENDs): killed, cut mid-request and answers lost, then run again: nothing lost, nothing doubled', async () => {
    const dst = { user: 'a', password: users.a };
    const db = await testDatabase('crash_pipelined');
    databases.push(db);
    const proxy = await startFaultProxy(plainTarget.port);
    try {
      const args = ['sync', ...plainFlags({ port: source.port, ...src }, { port: proxy.port, ...dst }), '--json', '--batch-messages', '40', '--connections', '2'];
      const env = { DATABASE_URL: db.url };
      const endpoint = { host: plainTarget.host, port: plainTarget.port, ...dst };
      await killWhenTargetHas(args, env, Math.floor(total * 0.2), endpoint);
      proxy.cutAfterUpstreamBytes(120_000);
      const cut = await runCli(args, env);
      assert.ok([0, 102, 111].includes(cut.code ?? -1), `unexpected exit ${cut.code}: ${cut.stdout}${cut.stderr}`);
      proxy.swallowAppendAnswer(2, 400);
      const swallowed = await runCli(args, env);
      assert.ok([0, 102, 111].includes(swallowed.code ?? -1), `unexpected exit ${swallowed.code}: ${swallowed.stdout}${swallowed.stderr}`);
      const final = await runCli(args, env);
      assert.equal(final.code, 0, final.stdout + final.stderr);
      await compare(dst, plainTarget);
      assert.deepEqual(await ledgerStates(db.url), { migrated: total });
    } finally {
      await proxy.close();
    }
  });
});
