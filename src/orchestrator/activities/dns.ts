/**
 * DNS activities (docs/dns.md): domain ownership by a TXT record `cutover-verification=<token>`, whether
 * the domain's MX points to the target's hosts, and the MX record's TTL for the advice before the
 * cutover. Which resolvers are asked is configurable (host or host:port; tests use a dnsmasq on
 * loopback). The decisions on the answers are pure functions below, tested without a network.
 */
import { Resolver } from 'node:dns/promises';
import { AppError } from '../../core/app-error.ts';
import { queryTtl, RR_TYPE } from './dns-ttl-query.ts';

/** The TXT value that proves ownership for a project's token. */
export function verificationRecord(token: string): string {
  return `cutover-verification=${token}`;
}

/** Result of a TXT ownership check. */
export interface TxtCheck {
  readonly domain: string;
  readonly verified: boolean;
  /** Every TXT string seen (chunks of one record joined, RFC 7208 §3.3 style). */
  readonly records: readonly string[];
}

/** Result of an MX check. */
export interface MxCheck {
  readonly domain: string;
  /** Every MX host is one of the target's (no old server left in the record). */
  readonly pointsToTarget: boolean;
  /** At least one MX host is the target's (a switch in progress, or a mixed record). */
  readonly anyTarget: boolean;
  readonly hosts: ReadonlyArray<{ readonly exchange: string; readonly priority: number }>;
}

/** What the TTL advice says. */
export interface TtlAdvice {
  /** `ok`: at most the wanted TTL; `lower`: lower it by `lowerBy`; `late`: lowering now no longer takes full effect by T; `unknown`: no MX TTL seen. */
  readonly status: 'ok' | 'lower' | 'late' | 'unknown';
  readonly ttlSeconds: number | null;
  readonly recommendedTtlSeconds: number;
  /** Caches keep the old TTL for up to that long: lower it at least one old TTL before T. */
  readonly lowerBy: Date | null;
}

/** The DNS activities. */
export interface DnsActivities {
  checkTxt(domain: string, token: string): Promise<TxtCheck>;
  checkMx(domain: string, targetHosts: readonly string[]): Promise<MxCheck>;
  /** The smallest TTL of the domain's MX records, or null when it has none. */
  readMxTtl(domain: string): Promise<number | null>;
}

/** Options of `createDnsActivities`. */
export interface DnsOptions {
  /** Resolvers to ask (`127.0.0.1:5353`, `[::1]:53`, `9.9.9.9`); the system's when empty. */
  readonly servers?: readonly string[];
  readonly timeoutMs?: number;
  readonly tries?: number;
}

const normalise = (host: string): string => host.trim().toLowerCase().replace(/\.$/, '');

/** True when `host` matches a target host: equal, or under a `*.suffix` pattern. */
export function isTargetHost(host: string, targetHosts: readonly string[]): boolean {
  const h = normalise(host);
  return targetHosts.some((t) => {
    const n = normalise(t);
    return n.startsWith('*.') ? h.endsWith(n.slice(1)) : h === n;
  });
}

/** The pure MX decision. */
export function judgeMx(domain: string, hosts: ReadonlyArray<{ exchange: string; priority: number }>, targetHosts: readonly string[]): MxCheck {
  const matches = hosts.map((h) => isTargetHost(h.exchange, targetHosts));
  return { domain, hosts, pointsToTarget: hosts.length > 0 && matches.every(Boolean), anyTarget: matches.some(Boolean) };
}

/** The pure TXT decision: one record equal to `cutover-verification=<token>` (case of the value kept). */
export function judgeTxt(domain: string, records: readonly string[], token: string): TxtCheck {
  const want = verificationRecord(token);
  return { domain, records, verified: records.some((r) => r.trim() === want) };
}

/** The pure TTL advice for a cutover at `cutoverAt`. */
export function adviseTtl(ttlSeconds: number | null, cutoverAt: Date, now: Date, recommendedTtlSeconds = 300): TtlAdvice {
  if (ttlSeconds === null) return { status: 'unknown', ttlSeconds, recommendedTtlSeconds, lowerBy: null };
  if (ttlSeconds <= recommendedTtlSeconds) return { status: 'ok', ttlSeconds, recommendedTtlSeconds, lowerBy: null };
  const lowerBy = new Date(cutoverAt.getTime() - ttlSeconds * 1000);
  return { status: now.getTime() <= lowerBy.getTime() ? 'lower' : 'late', ttlSeconds, recommendedTtlSeconds, lowerBy };
}

/** "No such record" answers are answers, not failures. */
function isNoData(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOTFOUND' || code === 'ENODATA' || code === 'ENONAME';
}

function lookupFailed(err: unknown, domain: string, what: string): AppError {
  const code = (err as { code?: string }).code ?? 'unknown';
  return new AppError('DNS_LOOKUP_FAILED', `${what} lookup for ${domain} failed (${code})`, { cause: err, details: { domain, code } });
}

/** The DNS activities over node:dns/promises (and one raw UDP query for the MX TTL). */
export function createDnsActivities(options: DnsOptions = {}): DnsActivities {
  const timeoutMs = options.timeoutMs ?? 2000;
  const resolver = new Resolver({ timeout: timeoutMs, tries: options.tries ?? 2 });
  const servers = options.servers && options.servers.length > 0 ? [...options.servers] : resolver.getServers();
  resolver.setServers(servers);
  return {
    async checkTxt(domain, token) {
      let records: string[] = [];
      try {
        records = (await resolver.resolveTxt(domain)).map((chunks) => chunks.join(''));
      } catch (err) {
        if (!isNoData(err)) throw lookupFailed(err, domain, 'TXT');
      }
      return judgeTxt(domain, records, token);
    },
    async checkMx(domain, targetHosts) {
      if (targetHosts.length === 0) throw new AppError('MX_HOSTS_MISSING', `no target MX hosts configured for ${domain}`, { details: { domain } });
      let hosts: Array<{ exchange: string; priority: number }> = [];
      try {
        hosts = (await resolver.resolveMx(domain)).sort((a, b) => a.priority - b.priority);
      } catch (err) {
        if (!isNoData(err)) throw lookupFailed(err, domain, 'MX');
      }
      return judgeMx(domain, hosts, targetHosts);
    },
    async readMxTtl(domain) {
      let lastError: unknown;
      for (const server of servers) {
        try {
          const answer = await queryTtl(server, domain, RR_TYPE.MX, timeoutMs);
          if (answer.rcode === 3 || answer.ttls.length === 0) return null;
          if (answer.rcode !== 0) throw new AppError('DNS_LOOKUP_FAILED', `MX TTL lookup for ${domain}: RCODE ${answer.rcode}`, { details: { domain, server, rcode: answer.rcode } });
          return Math.min(...answer.ttls);
        } catch (err) {
          lastError = err;
        }
      }
      throw lastError instanceof AppError ? lastError : lookupFailed(lastError, domain, 'MX TTL');
    },
  };
}
