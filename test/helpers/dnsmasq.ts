/**
 * A real dnsmasq on loopback serving test zones (SERVICES.md "DNS"): authoritative for the given
 * domains (`local=/zone/`), never forwarding. Records live in a conf file the test rewrites with
 * `setRecords`, which restarts dnsmasq on the same port (≈30 ms; SIGHUP does not re-read
 * mx-host/txt-record lines). Resolve against it with `server` (`127.0.0.1:PORT`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Resolver } from 'node:dns/promises';
import { freePort } from './free-port.ts';

/** The records of the fake zone. */
export interface DnsRecords {
  /** domain → MX hosts, preference order. */
  readonly mx?: Readonly<Record<string, ReadonlyArray<{ host: string; priority: number }>>>;
  /** name → TXT strings (one record each). */
  readonly txt?: Readonly<Record<string, readonly string[]>>;
  /** name → IPv4 address. */
  readonly a?: Readonly<Record<string, string>>;
}

/** A running dnsmasq. */
export interface DnsmasqInstance {
  readonly port: number;
  /** `127.0.0.1:PORT`, as `Resolver.setServers` and the DNS activities take it. */
  readonly server: string;
  /** Replaces every record and waits until dnsmasq answers with the new ones. */
  setRecords(records: DnsRecords): Promise<void>;
  stop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const running = new Set<number>();
let exitHook = false;

function renderRecords(records: DnsRecords): string {
  const lines: string[] = [];
  for (const [domain, hosts] of Object.entries(records.mx ?? {})) {
    for (const h of hosts) lines.push(`mx-host=${domain},${h.host},${h.priority}`);
  }
  for (const [name, values] of Object.entries(records.txt ?? {})) {
    for (const v of values) lines.push(`txt-record=${name},"${v.replace(/"/g, '\\"')}"`);
  }
  for (const [name, ip] of Object.entries(records.a ?? {})) lines.push(`address=/${name}/${ip}`);
  return lines.join('\n') + '\n';
}

/** Starts dnsmasq authoritative for `zones` (e.g. ['acme.test']) with `records`; `ttl` for local records (default 3600). */
export async function startDnsmasq(options: { zones: readonly string[]; records?: DnsRecords; ttl?: number }): Promise<DnsmasqInstance> {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const pid of running) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    });
  }
  const root = process.env['CUTOVER_TEST_STATE'] ?? join(repoRoot, '.test-state');
  const dir = join(root, `dnsmasq-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const recordsPath = join(dir, 'records.conf');
  const configPath = join(dir, 'dnsmasq.conf');
  const lines = [
    `port=${port}`, 'listen-address=127.0.0.1', 'bind-interfaces', 'no-resolv', 'no-hosts', 'no-daemon',
    // TTL of local records (dnsmasq's default is 0): a realistic value for the TTL advice.
    `local-ttl=${options.ttl ?? 3600}`, `pid-file=${join(dir, 'dnsmasq.pid')}`, `conf-file=${recordsPath}`,
    ...options.zones.map((z) => `local=/${z}/`),
    ...(isRoot ? ['user=root'] : []),
  ];
  writeFileSync(configPath, lines.join('\n') + '\n');
  writeFileSync(recordsPath, renderRecords(options.records ?? {}));

  let pid: number | undefined;
  const start = async (): Promise<void> => {
    const child = spawn('dnsmasq', ['-C', configPath, '--log-facility', join(dir, 'dnsmasq.log')], { stdio: 'ignore' });
    child.unref();
    if (child.pid === undefined) throw new Error('dnsmasq did not start (is it installed? scripts/install-test-deps.sh)');
    pid = child.pid;
    running.add(pid);
    // Ready when it answers (any answer, NXDOMAIN included).
    const r = new Resolver({ timeout: 200, tries: 1 });
    r.setServers([`127.0.0.1:${port}`]);
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        await r.resolveTxt(`ready-check.${options.zones[0] ?? 'test'}`);
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ENOTFOUND' || code === 'ENODATA') return;
        if (Date.now() > deadline) throw new Error(`dnsmasq on port ${port} does not answer: ${code ?? String(err)}\n${readLog(dir)}`);
        await sleep(20);
      }
    }
  };
  const stopProcess = async (): Promise<void> => {
    if (pid === undefined) return;
    const p = pid;
    pid = undefined;
    try {
      process.kill(p, 'SIGTERM');
    } catch {
      running.delete(p);
      return;
    }
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(p, 0);
      } catch {
        break;
      }
      await sleep(10);
    }
    running.delete(p);
  };
  await start();
  return {
    port,
    server: `127.0.0.1:${port}`,
    async setRecords(records) {
      writeFileSync(recordsPath, renderRecords(records));
      await stopProcess();
      await start();
    },
    async stop() {
      await stopProcess();
      if (process.env['CUTOVER_KEEP_TEST_STATE'] !== '1') rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'dnsmasq.log'), 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}
