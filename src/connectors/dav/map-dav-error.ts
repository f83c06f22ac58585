/**
 * The one place where what a DAV server said (HTTP status, precondition element, body text) or what the
 * network did becomes an `AppError` with a registry code. The server's status and a short excerpt of
 * its text are kept in `details` (never the request's credentials).
 */
import { AppError, type ErrorDetails } from '../../core/app-error.ts';
import type { ErrorCode } from '../../core/error-codes.ts';

/** What a DAV response looked like, as far as an error needs it. */
export interface DavFailure {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly body: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);

/** An excerpt of the server text safe for logs. */
function excerpt(body: string): string {
  return body.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/** Maps a non-success HTTP answer to an AppError. */
export function mapDavStatus(failure: DavFailure, details: ErrorDetails = {}): AppError {
  const { status } = failure;
  let code: ErrorCode;
  if (status === 401) code = 'DAV_AUTH_FAILED';
  else if (status === 403) code = 'DAV_FORBIDDEN';
  else if (status === 429 || status === 503) code = 'DAV_THROTTLED';
  else if (status === 507) code = 'DAV_QUOTA_EXCEEDED';
  else if (status >= 500) code = 'DAV_SERVER_ERROR';
  else code = 'DAV_REQUEST_FAILED';
  return new AppError(code, `${failure.method} ${failure.url} answered HTTP ${status}${failure.body ? `: ${excerpt(failure.body)}` : ''}`, {
    details: { method: failure.method, url: failure.url, status, server: excerpt(failure.body), ...details },
  });
}

/** Maps a PUT refusal for one item: the item fails, the pass goes on (unless it needs a person). */
export function mapPutRefusal(failure: DavFailure): AppError {
  if ([401, 403, 429, 503, 507].includes(failure.status) || failure.status >= 500) return mapDavStatus(failure);
  return new AppError('DAV_ITEM_REJECTED', `the target refused the item (HTTP ${failure.status}${failure.body ? `: ${excerpt(failure.body)}` : ''})`, {
    details: { method: failure.method, url: failure.url, status: failure.status, server: excerpt(failure.body) },
  });
}

/** Maps an error thrown by the HTTP client (no answer at all). */
export function mapDavNetworkError(err: unknown, method: string, url: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const details = { method, url, errno: e.code ?? null };
  if (e.code === 'DAV_TIMEOUT') return new AppError('DAV_TIMEOUT', `${method} ${url}: no answer in time`, { cause: err, details });
  if (e.code && NETWORK_CODES.has(e.code)) return new AppError('DAV_CONNECT_FAILED', `${method} ${url}: ${message}`, { cause: err, details });
  if (e.code && (e.code.startsWith('ERR_TLS') || e.code.startsWith('ERR_SSL') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(e.code))) {
    return new AppError('DAV_TLS_FAILED', `${method} ${url}: ${message}`, { cause: err, details });
  }
  return new AppError('DAV_CONNECT_FAILED', `${method} ${url}: ${message}`, { cause: err, details });
}

/** Error for a response body that is not the XML we asked for. */
export function davProtocolError(method: string, url: string, reason: string): AppError {
  return new AppError('DAV_PROTOCOL_ERROR', `${method} ${url}: unreadable response (${reason})`, { details: { method, url, reason } });
}
