/**
 * The one place where ImapFlow, socket and TLS errors become `AppError`s. What the server said —
 * status (NO/BAD), response code (RFC 5530 / RFC 3501 §7.1) and text — is kept in `details`; the
 * command line and credentials never are (ImapFlow's `executedCommand` is dropped on purpose).
 */
import { AppError } from '../../core/app-error.ts';
import type { ErrorCode } from '../../core/error-codes.ts';
import { isNode, responseCodeOf, responseTextOf, type WireResponse } from './imap-wire.ts';

/** What the connector was doing; picks the code for a plain NO without a response code. */
export type ImapOperation =
  | 'connect'
  | 'login'
  | 'list'
  | 'status'
  | 'select'
  | 'fetch'
  | 'append'
  | 'search'
  | 'store'
  | 'create'
  | 'subscribe'
  | 'logout';

export interface ImapErrorContext {
  readonly operation: ImapOperation;
  readonly path?: string;
  /** host:port, for connection errors (never the user or password). */
  readonly server?: string;
}

/** Fields of an ImapFlow / Node error we read; all optional because anything can be thrown. */
interface LooseError {
  message?: unknown;
  code?: unknown;
  responseStatus?: unknown;
  responseText?: unknown;
  serverResponseCode?: unknown;
  response?: unknown;
  authenticationFailed?: unknown;
  tlsFailed?: unknown;
  mailboxMissing?: unknown;
  throttleReset?: unknown;
  /** ImapFlow: the text of the server's BYE when it closed the connection with one (RFC 3501 §7.1.5). */
  reason?: unknown;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'EPROXY', 'ProxyError']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'NoConnection', 'EConnectionClosed', 'StateLogout', 'ClosedAfterConnectText']);
/** Node/OpenSSL certificate and handshake error codes (tls.TLSSocket `authorizationError` names). */
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|CERT_|HOSTNAME_MISMATCH|ClosedAfterConnectTLS|STARTTLS_INJECTION)/;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isWireResponse(value: unknown): value is WireResponse {
  return typeof value === 'object' && value !== null && 'tag' in value && 'command' in value;
}

/** Server status, response code and text, whichever form ImapFlow left them in. */
function serverSaid(e: LooseError): { status?: string; responseCode?: string; text?: string } {
  const parsed = isWireResponse(e.response) ? e.response : undefined;
  const codeParts = parsed ? responseCodeOf(parsed) : [];
  const responseCode = str(e.serverResponseCode)?.toUpperCase() ?? (codeParts[0] || undefined);
  const status = str(e.responseStatus) ?? (parsed && isNode(parsed.attributes?.[0] ?? null) ? str(parsed.command) : undefined);
  const text = str(e.responseText) ?? (parsed ? responseTextOf(parsed) || undefined : undefined);
  if (text === undefined && str(e.reason) !== undefined) return { status: 'BYE', responseCode, text: str(e.reason) };
  return { status, responseCode, text };
}

/** The code for a server response code (RFC 5530 and the RFC that defines each). */
function codeForResponseCode(responseCode: string, operation: ImapOperation): ErrorCode | null {
  switch (responseCode) {
    case 'AUTHENTICATIONFAILED':
    case 'EXPIRED':
    case 'CONTACTADMIN':
      return 'IMAP_AUTH_FAILED';
    case 'AUTHORIZATIONFAILED':
      return 'IMAP_AUTHZ_FAILED';
    case 'PRIVACYREQUIRED':
      return 'IMAP_TLS_FAILED';
    case 'OVERQUOTA':
      return 'TARGET_QUOTA_EXCEEDED';
    case 'TOOBIG':
    case 'APPENDLIMIT':
      return 'ITEM_TOO_LARGE';
    case 'LIMIT':
      // RFC 5530 §3: "an implementation limit of some kind" — on APPEND a limit of this message
      // (Dovecot: "Mail size is larger than the maximum size allowed"), not a reason to back off.
      if (operation === 'append') return 'ITEM_TOO_LARGE';
      if (operation === 'create') return 'FOLDER_CREATE_FAILED';
      return 'IMAP_THROTTLED';
    case 'TRYCREATE':
    case 'NONEXISTENT':
      return operation === 'create' ? 'FOLDER_CREATE_FAILED' : 'FOLDER_NOT_FOUND';
    case 'CANNOT':
    case 'NOPERM':
      if (operation === 'create') return 'FOLDER_CREATE_FAILED';
      if (operation === 'append') return 'ITEM_REJECTED';
      if (operation === 'select') return 'FOLDER_SELECT_FAILED';
      return null;
    default:
      return null;
  }
}

/** The code for a NO/BAD without a known response code. */
function codeForOperation(operation: ImapOperation): ErrorCode {
  switch (operation) {
    case 'login':
      return 'IMAP_AUTH_FAILED';
    case 'append':
      return 'ITEM_REJECTED';
    case 'create':
      return 'FOLDER_CREATE_FAILED';
    case 'select':
      return 'FOLDER_SELECT_FAILED';
    case 'connect':
      return 'IMAP_CONNECT_FAILED';
    default:
      return 'IMAP_COMMAND_FAILED';
  }
}

/** Did the server answer the command NO or BAD (rather than the connection dropping or a local failure)? */
export function isServerRefusal(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'responseStatus' in err && (err.responseStatus === 'NO' || err.responseStatus === 'BAD');
}

/** Turns anything thrown by ImapFlow, the socket or TLS into an AppError with log-safe details. */
export function mapImapError(err: unknown, context: ImapErrorContext): AppError {
  if (err instanceof AppError) return err;
  const e: LooseError = typeof err === 'object' && err !== null ? err : { message: String(err) };
  const message = str(e.message) ?? 'IMAP error';
  const nodeCode = str(e.code);
  const said = serverSaid(e);

  let code: ErrorCode;
  if (nodeCode && CONNECT_CODES.has(nodeCode)) code = 'IMAP_CONNECT_FAILED';
  else if (e.tlsFailed === true || (nodeCode && TLS_CODE.test(nodeCode)) || /certificate|handshake|STARTTLS/i.test(message)) code = 'IMAP_TLS_FAILED';
  else if (nodeCode && TIMEOUT_CODES.has(nodeCode)) code = 'IMAP_TIMEOUT';
  else if (nodeCode === 'ETHROTTLE') code = 'IMAP_THROTTLED';
  // A BYE instead of a greeting or a login answer, saying the account has too many connections.
  else if (said.status === 'BYE' && /too many|simultaneous|maximum number of connections|connection limit/i.test(said.text ?? '')) code = 'IMAP_THROTTLED';
  else if (nodeCode && LOST_CODES.has(nodeCode)) code = 'IMAP_CONNECTION_LOST';
  else if (nodeCode && /^(ParserError|UnexpectedTag|InvalidResponse|LineTooLarge|LiteralTooLarge|ResponseTooLarge|MAX_IMAP_NESTING_REACHED)/.test(nodeCode)) code = 'IMAP_PROTOCOL_ERROR';
  else if (said.responseCode && codeForResponseCode(said.responseCode, context.operation)) code = codeForResponseCode(said.responseCode, context.operation) ?? 'IMAP_COMMAND_FAILED';
  else if (/Unsupported authentication mechanism|Login is disabled|No matching authentication method/i.test(message)) code = 'IMAP_AUTH_UNSUPPORTED';
  else if (e.authenticationFailed === true) code = 'IMAP_AUTH_FAILED';
  else if (context.operation === 'select' && e.mailboxMissing === true) code = 'FOLDER_NOT_FOUND';
  else if (said.status === 'NO' || said.status === 'BAD') code = codeForOperation(context.operation);
  else if (context.operation === 'connect') code = 'IMAP_CONNECTION_LOST';
  else code = 'INTERNAL';

  const where = context.path !== undefined ? ` (${context.path})` : '';
  const serverPart = said.text ? `: ${said.status ?? ''}${said.responseCode ? ` [${said.responseCode}]` : ''} ${said.text}`.replace(/: +/, ': ') : `: ${message}`;
  // The cause is rebuilt from safe fields only: ImapFlow errors carry the command line and parsed
  // responses, and a logged cause must never be able to contain a credential.
  const cause = new Error(message);
  if (nodeCode) Object.assign(cause, { code: nodeCode });
  return new AppError(code, `IMAP ${context.operation} failed${where}${serverPart}`, {
    cause,
    details: {
      operation: context.operation,
      path: context.path,
      server: context.server,
      status: said.status,
      responseCode: said.responseCode,
      serverText: said.text,
      errorCode: nodeCode,
      throttleMs: typeof e.throttleReset === 'number' ? e.throttleReset : undefined,
    },
  });
}
