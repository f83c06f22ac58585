/**
 * One login check against an IMAP endpoint, shared by the API's "test connection" action and
 * `cutover doctor`: connect, TLS, log in (as the admin acting as the user, for master access), read the
 * capabilities after login, log out. Failures come back as data with their error code, never thrown.
 */
import type { Logger } from 'pino';
import { toAppError, type AppError } from '../core/app-error.ts';
import type { ImapEndpoint, TlsMode } from '../core/endpoint.ts';
import { openImapSession } from '../connectors/imap/imap-session.ts';

/** Capabilities the engine uses when offered; without them it works, but slower or less exactly. */
export const WANTED_CAPABILITIES: readonly string[] = ['UIDPLUS', 'CONDSTORE', 'MULTIAPPEND'];

/** Seconds a check waits for a silent server. */
const CHECK_TIMEOUT_SECONDS = 20;

/** The outcome of one check. */
export interface ConnectionCheck {
  readonly ok: boolean;
  /** host:port */
  readonly server: string;
  readonly tls: TlsMode;
  readonly serverName: string | null;
  /** After login, sorted; empty when the login failed. */
  readonly capabilities: readonly string[];
  /** WANTED_CAPABILITIES the server lacks (only known after login). */
  readonly missing: readonly string[];
  readonly durationMs: number;
  readonly error: AppError | null;
}

/** Logs in to `endpoint` once and reports what it found. */
export async function checkImapLogin(endpoint: ImapEndpoint, options: { logger?: Logger } = {}): Promise<ConnectionCheck> {
  const started = performance.now();
  const base = { server: `${endpoint.host}:${endpoint.port}`, tls: endpoint.tls };
  const timed: ImapEndpoint = { ...endpoint, timeoutSeconds: Math.min(endpoint.timeoutSeconds ?? CHECK_TIMEOUT_SECONDS, CHECK_TIMEOUT_SECONDS) };
  try {
    const session = await openImapSession(timed, { ...(options.logger ? { logger: options.logger } : {}), connectionName: 'check' });
    try {
      const capabilities = [...session.info.capabilities].sort();
      const missing = WANTED_CAPABILITIES.filter((c) => !session.info.capabilities.has(c));
      return { ...base, ok: true, serverName: session.info.serverName, capabilities, missing, durationMs: Math.round(performance.now() - started), error: null };
    } finally {
      await session.close();
    }
  } catch (err) {
    return { ...base, ok: false, serverName: null, capabilities: [], missing: [], durationMs: Math.round(performance.now() - started), error: toAppError(err) };
  }
}
