/**
 * Opening one logged-in ImapFlow connection for an endpoint: TLS mode, certificate checks, the three
 * auth kinds, and the server facts the engine needs (capabilities after login, APPENDLIMIT).
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type pino from 'pino';
import type { ImapEndpoint } from '../../core/endpoint.ts';
import { AppError } from '../../core/app-error.ts';
import { isCompressed, negotiateCompression } from './compression.ts';
import { isServerRefusal, mapImapError } from './map-imap-error.ts';
import type { ServerInfo } from './types.ts';

export interface ConnectOptions {
  /** When given, ImapFlow's own log goes here (as a child); otherwise ImapFlow logs nothing. */
  readonly logger?: pino.Logger;
  /** Shown in logs to tell connections apart (e.g. `source#2`). */
  readonly connectionName?: string;
}

/** ImapFlow's `auth` option for an endpoint. */
function authOptions(endpoint: ImapEndpoint): NonNullable<ImapFlowOptions['auth']> {
  const auth = endpoint.auth;
  switch (auth.kind) {
    case 'password':
      return { user: auth.user, pass: auth.password };
    case 'master':
      if (auth.method === 'separator') {
        // Dovecot's auth_master_user_separator (and Cyrus/Zimbra equivalents): `user*admin` with the
        // admin's password. Sent as LOGIN or AUTHENTICATE PLAIN without authzid, whichever is offered.
        return { user: `${auth.user}${auth.separator ?? '*'}${auth.adminUser}`, pass: auth.password };
      }
      // SASL PLAIN (RFC 4616 §2): authzid = the mailbox owner, authcid = the admin. Forced, because
      // LOGIN has no way to carry an authorization identity.
      return { user: auth.adminUser, pass: auth.password, authzid: auth.user, loginMethod: 'AUTH=PLAIN' };
    case 'oauth2':
      // ImapFlow picks OAUTHBEARER (RFC 7628) when offered, else XOAUTH2; `method` is checked below.
      return { user: auth.user, accessToken: auth.accessToken };
  }
}

/** The SASL mechanism this endpoint needs, when it needs a specific one (checked against AUTH=…). */
function requiredMechanisms(endpoint: ImapEndpoint): string[] | null {
  const auth = endpoint.auth;
  if (auth.kind === 'master' && auth.method === 'authzid') return ['AUTH=PLAIN'];
  if (auth.kind === 'oauth2') {
    if (auth.method === 'XOAUTH2') return ['AUTH=XOAUTH2', 'AUTH=XOAUTH'];
    if (auth.method === 'OAUTHBEARER') return ['AUTH=OAUTHBEARER'];
    return ['AUTH=OAUTHBEARER', 'AUTH=XOAUTH2', 'AUTH=XOAUTH'];
  }
  return null;
}

/** Adapts pino to ImapFlow's logger. ImapFlow masks secrets in its command log; raw logging stays off. */
function imapflowLogger(logger: pino.Logger, connectionName: string | undefined): NonNullable<ImapFlowOptions['logger']> {
  const child = logger.child({ component: 'imapflow', ...(connectionName ? { connection: connectionName } : {}) });
  return {
    trace: (obj: object) => child.trace(obj),
    debug: (obj: object) => child.debug(obj),
    info: (obj: object) => child.info(obj),
    warn: (obj: object) => child.warn(obj),
    // ImapFlow logs every NO/BAD answer as an error ("Command failed", with a stack) and then rejects
    // the command with it; Cutover handles that rejection and reports it with its own code. Logged at
    // error level here too, a handled refusal (a login over a server's connection cap, a STATUS of a
    // missing folder) printed a stack trace per connection.
    error: (obj: object) => (isServerRefusal((obj as { err?: unknown }).err) ? child.debug(obj) : child.error(obj)),
    fatal: (obj: object) => child.fatal(obj),
  };
}

/** ImapFlow options for an endpoint. Exported for the benchmark, which measures ImapFlow's own append. */
export function imapFlowOptions(endpoint: ImapEndpoint, options: ConnectOptions = {}): ImapFlowOptions {
  const timeoutMs = (endpoint.timeoutSeconds ?? 120) * 1000;
  const tls: NonNullable<ImapFlowOptions['tls']> = { rejectUnauthorized: endpoint.tlsVerify };
  if (endpoint.tlsCa !== undefined) tls.ca = endpoint.tlsCa;
  return {
    host: endpoint.host,
    port: endpoint.port,
    // implicit: TLS from the first byte (RFC 8314). starttls: doSTARTTLS=true makes ImapFlow fail when
    // the server does not offer STARTTLS (RFC 3501 §6.2.1) instead of silently staying in plain text.
    secure: endpoint.tls === 'implicit',
    doSTARTTLS: endpoint.tls === 'starttls',
    tls,
    auth: authOptions(endpoint),
    logger: options.logger ? imapflowLogger(options.logger, options.connectionName) : false,
    logRaw: false,
    // A migration connection never waits for new mail; IDLE between commands only adds a DONE round trip.
    disableAutoIdle: true,
    // Compression is negotiated after login by compression.ts, only where the link is slow.
    disableCompression: true,
    // QRESYNC would make SELECT report VANISHED; the engine tracks changes itself.
    qresync: false,
    clientInfo: { name: 'cutover' },
    connectionTimeout: Math.min(timeoutMs, 90_000),
    greetingTimeout: Math.min(timeoutMs, 30_000),
    socketTimeout: timeoutMs,
  };
}

/** Capabilities as one upper-case set, valued ones re-joined (`APPENDLIMIT=35882577`). */
function capabilitySet(client: ImapFlow): Set<string> {
  const out = new Set<string>();
  for (const [name, value] of client.capabilities) {
    out.add(typeof value === 'number' ? `${name.toUpperCase()}=${value}` : name.toUpperCase());
  }
  return out;
}

/** Server facts after login (capabilities change after authentication, RFC 3501 §7.2.1). */
export function readServerInfo(client: ImapFlow): ServerInfo {
  const limit = client.capabilities.get('APPENDLIMIT');
  const id = client.serverInfo;
  const serverName = id && typeof id.name === 'string' ? [id.name, typeof id.version === 'string' ? id.version : ''].join(' ').trim() : null;
  return {
    capabilities: capabilitySet(client),
    // RFC 7889 §3: APPENDLIMIT without a value means per-mailbox limits only.
    appendLimit: typeof limit === 'number' && limit > 0 ? limit : null,
    serverName,
    compressed: isCompressed(client),
  };
}

/**
 * TCP_NODELAY on the connection (ImapFlow leaves Nagle's algorithm on). IMAP alternates small writes
 * with waiting for an answer; with Nagle, a short command line written right after a literal may wait
 * for the server's ACK of the literal (and a delayed ACK). The benchmark showed no difference on
 * loopback (the cloud-like target is bound by Dovecot's per-APPEND commit); it is the usual setting for
 * a request/response protocol and costs nothing.
 */
function disableNagle(client: ImapFlow): void {
  const socket = (client as unknown as { socket?: { setNoDelay?: (on: boolean) => unknown } }).socket;
  socket?.setNoDelay?.(true);
}

/** Connects, upgrades to TLS as configured, logs in, and returns the ready client. */
export async function connectImap(endpoint: ImapEndpoint, options: ConnectOptions = {}): Promise<ImapFlow> {
  const server = `${endpoint.host}:${endpoint.port}`;
  const client = new ImapFlow(imapFlowOptions(endpoint, options));
  // ImapFlow emits 'error' for failures outside a command; an EventEmitter without a listener would
  // crash the process. Command failures still reach the caller through the rejected promise.
  client.on('error', (err: unknown) => {
    options.logger?.warn({ err: err instanceof Error ? { message: err.message } : String(err), connection: options.connectionName, server }, 'IMAP connection error');
  });
  try {
    await client.connect();
  } catch (err) {
    client.close();
    const mapped = mapImapError(err, { operation: 'connect', server });
    const required = requiredMechanisms(endpoint);
    // ImapFlow still holds the pre-auth capabilities: a login refused because the server lacks the
    // mechanism is a settings problem, not a wrong password.
    const loginFailed = mapped.code === 'IMAP_AUTH_FAILED' || mapped.code === 'IMAP_AUTH_UNSUPPORTED';
    if (loginFailed && required && !required.some((m) => client.capabilities.has(m))) {
      throw new AppError('IMAP_AUTH_UNSUPPORTED', `The server offers none of ${required.join(', ')}`, {
        details: { operation: 'login', server, needed: required.join(' ') },
      });
    }
    throw mapped;
  }
  disableNagle(client);
  try {
    const compression = await negotiateCompression(client, endpoint.compress ?? 'auto');
    if (compression.compressed) options.logger?.debug({ server, connection: options.connectionName, rttMs: compression.rttMs }, 'COMPRESS=DEFLATE on');
  } catch (err) {
    client.close();
    throw err;
  }
  return client;
}
