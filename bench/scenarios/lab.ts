/**
 * The servers, accounts and pairs every scenario shares, so a figure that another scenario already
 * measured is not measured twice (the no-op delta of 20k is the rerun after the 20k full pass; the small
 * delta continues those same pairs). Each corpus has its own source Dovecot (maildir), seeded once and
 * kept across runs (corpus/cache.ts; a delta a run made is rolled back at the next start); the
 * scenarios' own small accounts (Cutover's warm-up, the large message, the concurrency mailboxes) live
 * on one more source server. Every source is read completely before any timing (warm, the same for
 * every tool). Target Dovecots are started per kind on first use, each with a pool of empty accounts,
 * one per pair; delay proxies per (server, RTT) on first use. Every pass is measured, then gated
 * (verify.ts), and recorded in `passes`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusSpec, CorpusStats } from '../corpus/spec.ts';
import { startSeededSource } from '../corpus/cache.ts';
import { startDelayProxy } from '../delay-proxy.ts';
import type { DelayProxy } from '../delay-proxy.ts';
import { dovecotMasterPid } from '../measure.ts';
import { startBenchServer } from '../servers.ts';
import type { BenchServer, ServerKind } from '../servers.ts';
import { countBytes, countMessages, readAccount } from '../snapshot.ts';
import type { AccountSnapshot } from '../snapshot.ts';
import type { Account, PassKind, Tool, ToolPair } from '../tools/types.ts';
import { notRun, runGate } from '../verify.ts';
import type { PassRecord } from './types.ts';

export const PASSWORD = 'benchpw';

export interface SourceEntry {
  name: string;
  server: BenchServer;
  account: Account;
  stats: CorpusStats;
  /** The source as the gate compares it; replaced when a scenario changes the source. */
  snapshot: AccountSnapshot;
}

export interface PairState {
  tool: Tool;
  source: SourceEntry;
  kind: ServerKind;
  rttMs: number;
  /** The target account, reached directly (the gate never goes through the delay proxy). */
  target: Account;
  server: BenchServer;
  pair: ToolPair;
  /** The target as the last gate read it, for the next gate's incremental read. */
  snapshot?: AccountSnapshot;
  /** A pass failed: later passes on this pair are not results. */
  broken: boolean;
}

export interface LabOptions {
  workDir: string;
  connections: number;
  log: (msg: string) => void;
  /** The scenarios' own source accounts (besides the corpora, which have a server each). */
  sourceUsers: string[];
  /** Empty accounts per target server; each pair takes one. */
  targetPool: number;
}

export class Lab {
  readonly passes: PassRecord[] = [];
  readonly corpora: Record<string, CorpusStats> = {};
  readonly options: LabOptions;
  /** The server of the scenarios' own source accounts. */
  readonly source: BenchServer;
  #corpusServers: BenchServer[] = [];
  #targets = new Map<ServerKind, Promise<BenchServer>>();
  #proxies = new Map<string, Promise<DelayProxy>>();
  #sources = new Map<string, Promise<SourceEntry>>();
  #fullPairs = new Map<string, Promise<PairState>>();
  #nextTarget = new Map<ServerKind, number>();
  #pairCount = 0;
  #hooks: Array<(tool: Tool) => Promise<void>> = [];
  #changed = new Set<string>();

  private constructor(options: LabOptions, source: BenchServer) {
    this.options = options;
    this.source = source;
  }

  static async start(options: LabOptions): Promise<Lab> {
    const users = Object.fromEntries(options.sourceUsers.map((u) => [u, PASSWORD]));
    const source = await startBenchServer({ name: 'bench-source', kind: 'maildir', users });
    return new Lab(options, source);
  }

  /** Runs before the first pair of each tool is made (Cutover's warm data folder). */
  beforeFirstPair(hook: (tool: Tool) => Promise<void>): void {
    this.#hooks.push(hook);
  }

  sourceAccount(user: string): Account {
    return { host: this.source.host, port: this.source.port, user, password: PASSWORD };
  }

  /** The corpus on its own source server (seeded, or reused from an earlier run), read once; memoised. */
  corpus(spec: CorpusSpec): Promise<SourceEntry> {
    return this.#memoSource(spec.name, async () => {
      const seeded = await startSeededSource({ spec, user: 'bench', password: PASSWORD, log: (m) => this.options.log(`  ${m}`) });
      this.#corpusServers.push(seeded.server);
      this.options.log(`source ${spec.name}: ${seeded.stats.messages} messages, ${(seeded.stats.bytes / 1e6).toFixed(0)} MB, ${seeded.reused ? `reused${seeded.restored ? ` (${seeded.restored})` : ''}` : `seeded in ${seeded.seedSeconds.toFixed(1)} s`}`);
      return { server: seeded.server, account: { ...seeded.account }, stats: seeded.stats };
    });
  }

  /** An account on the scenarios' source server filled by `fill`, then read once; memoised. */
  customSource(user: string, fill: (account: Account) => Promise<CorpusStats>): Promise<SourceEntry> {
    return this.#memoSource(user, async () => {
      const account = this.sourceAccount(user);
      return { server: this.source, account, stats: await fill(account) };
    });
  }

  /** Reads a new source completely: the gate's reference, and a warm source for every tool alike. */
  #memoSource(name: string, make: () => Promise<{ server: BenchServer; account: Account; stats: CorpusStats }>): Promise<SourceEntry> {
    let entry = this.#sources.get(name);
    if (!entry) {
      entry = (async () => {
        const { server, account, stats } = await make();
        this.corpora[name] = stats;
        const started = performance.now();
        const snapshot = await readAccount(account);
        const n = countMessages(snapshot);
        if (n !== stats.messages) throw new Error(`source ${name} holds ${n} messages, expected ${stats.messages}`);
        this.options.log(`read source ${name} (${n} messages) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        return { name, server, account, stats, snapshot };
      })();
      this.#sources.set(name, entry);
    }
    return entry;
  }

  /**
   * Re-reads a source a scenario changed, so later gates compare with what it holds now. Its full
   * pairs are no longer what fullPair() promises (a full pass then a no-op): asking again is an error.
   */
  async changedSource(entry: SourceEntry): Promise<void> {
    this.#changed.add(entry.name);
    entry.snapshot = await readAccount(entry.account, { previous: entry.snapshot });
  }

  targetServer(kind: ServerKind): Promise<BenchServer> {
    let server = this.#targets.get(kind);
    if (!server) {
      const users = Object.fromEntries(Array.from({ length: this.options.targetPool }, (_, i) => [targetUser(i), PASSWORD]));
      server = startBenchServer({ name: `bench-target-${kind}`, kind, users });
      this.#targets.set(kind, server);
    }
    return server;
  }

  /** A fresh, empty target account on a server of this kind. */
  async allocTarget(kind: ServerKind): Promise<{ server: BenchServer; account: Account }> {
    const server = await this.targetServer(kind);
    const i = this.#nextTarget.get(kind) ?? 0;
    if (i >= this.options.targetPool) throw new Error(`no empty ${kind} target account left (pool ${this.options.targetPool})`);
    this.#nextTarget.set(kind, i + 1);
    return { server, account: { host: server.host, port: server.port, user: targetUser(i), password: PASSWORD } };
  }

  /** Where a tool connects to reach `account` with `rttMs` of added round trip (the account itself at 0). */
  async via(account: Account, rttMs: number): Promise<Account> {
    if (rttMs === 0) return account;
    const key = `${account.port}/${rttMs}`;
    let proxy = this.#proxies.get(key);
    if (!proxy) {
      proxy = startDelayProxy({ targetHost: account.host, targetPort: account.port, rttMs });
      this.#proxies.set(key, proxy);
    }
    const p = await proxy;
    return { ...account, host: p.host, port: p.port };
  }

  /** A new pair: an empty target account, the tool's fresh state, proxies in between when rttMs > 0. */
  async newPair(tool: Tool, source: SourceEntry, kind: ServerKind, rttMs: number): Promise<PairState> {
    for (const hook of this.#hooks) await hook(tool);
    const { server, account } = await this.allocTarget(kind);
    const workDir = join(this.options.workDir, 'pairs', `${++this.#pairCount}-${tool.name}-${source.name}-${kind}-${rttMs}ms`);
    mkdirSync(workDir, { recursive: true });
    const pair = tool.pair({
      source: await this.via(source.account, rttMs),
      // A tool that writes the target's storage itself (doveadm) has no remote target side.
      target: tool.targetAccess === 'imap' ? await this.via(account, rttMs) : account,
      targetConfigPath: server.configPath,
      workDir,
      connections: this.options.connections,
    });
    return { tool, source, kind, rttMs, target: account, server, pair, broken: false };
  }

  /** Runs one pass, gates it and records it. `copies` is what the pass has to move (default: nothing). */
  async pass(state: PairState, kind: PassKind, copies: { messages: number; bytes: number } = { messages: 0, bytes: 0 }): Promise<PassRecord> {
    const { tool, source } = state;
    const label = `${tool.name} ${kind} ${source.name} -> ${state.kind}${state.rttMs > 0 ? ` @${state.rttMs} ms` : ''}`;
    const base = { tool: tool.name, corpus: source.name, targetKind: state.kind, rttMs: state.rttMs, kind, ...copies, mailboxMessages: countMessages(source.snapshot) };
    let record: PassRecord;
    try {
      if (state.broken) throw new Error('an earlier pass of this pair failed');
      const m = await state.pair.pass(kind, this.serverPids(state));
      const gate = await runGate(source.snapshot, state.target, tool.gate, state.snapshot);
      state.snapshot = gate.snapshot;
      record = {
        ...base, wallS: m.wallS, peakTreePssMiB: m.peakTreePssMiB, machineBusy: m.machineBusy,
        serverCpuS: { source: m.watchedCpuS['source'] ?? NaN, target: m.watchedCpuS['target'] ?? NaN }, gate: gate.result,
        ...(m.reportedS !== undefined ? { reportedS: m.reportedS } : {}),
        ...(m.cpuS !== undefined ? { cpuS: m.cpuS } : {}),
        ...(m.peakRssMiB !== undefined ? { peakRssMiB: m.peakRssMiB } : {}),
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      record = { ...base, wallS: NaN, peakTreePssMiB: NaN, machineBusy: NaN, serverCpuS: { source: NaN, target: NaN }, gate: notRun('the tool failed'), error: message };
    }
    if (record.error !== undefined || !record.gate.ok) state.broken = true;
    this.passes.push(record);
    const rate = kind === 'noop' ? '' : ` (${(record.messages / record.wallS).toFixed(0)} msg/s)`;
    this.options.log(`${label}: ${record.error !== undefined ? `FAILED: ${record.error.split('\n')[0]}` : `${record.wallS.toFixed(2)} s${rate}; gate ${record.gate.summary} [${record.gate.durationS.toFixed(1)} s]`}`);
    if (record.gate.detail) this.options.log(record.gate.detail.split('\n').slice(0, 12).join('\n'));
    return record;
  }

  /** The `watch` pids of measure(): the source and target Dovecot masters. */
  serverPids(state: Pick<PairState, 'server' | 'source'>): { source: number | undefined; target: number | undefined } {
    return { source: dovecotMasterPid(state.source.server.configPath), target: dovecotMasterPid(state.server.configPath) };
  }

  /**
   * The pair of `tool` on this corpus, target kind and RTT after its full pass and (for tools that keep
   * state) its no-op rerun; memoised, so scenarios share it.
   */
  fullPair(tool: Tool, spec: CorpusSpec, kind: ServerKind, rttMs: number): Promise<PairState> {
    const key = `${tool.name}/${spec.name}/${kind}/${rttMs}`;
    if (this.#changed.has(spec.name)) return Promise.reject(new Error(`fullPair(${key}): the source ${spec.name} was changed by a scenario`));
    let state = this.#fullPairs.get(key);
    if (!state) {
      state = (async () => {
        const source = await this.corpus(spec);
        const pair = await this.newPair(tool, source, kind, rttMs);
        await this.pass(pair, 'full', { messages: countMessages(source.snapshot), bytes: countBytes(source.snapshot) });
        if (tool.incremental) await this.pass(pair, 'noop');
        return pair;
      })();
      this.#fullPairs.set(key, state);
    }
    return state;
  }

  async stop(): Promise<void> {
    const proxies = await Promise.allSettled(this.#proxies.values());
    const targets = await Promise.allSettled(this.#targets.values());
    await Promise.allSettled([
      ...proxies.map((p) => (p.status === 'fulfilled' ? p.value.stop() : undefined)),
      ...targets.map((t) => (t.status === 'fulfilled' ? t.value.stop() : undefined)),
      ...this.#corpusServers.map((s) => s.stop()),
      this.source.stop(),
    ]);
  }
}

export const targetUser = (i: number): string => `t${String(i + 1).padStart(4, '0')}`;
