/**
 * HTTP for one DAV session: node:http(s) with a keep-alive agent (TLS verification and extra CAs per
 * endpoint, which the global fetch cannot take), HTTP Basic credentials (RFC 7617), a request timeout,
 * a cap on requests in flight, and redirects followed for discovery (RFC 6764 §5: /.well-known/caldav
 * answers with a redirect). Transient failures (connection, 5xx, 429) are retried with backoff.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { DavEndpoint } from './types.ts';
import { mapDavNetworkError, mapDavStatus } from './map-dav-error.ts';
import { AppError } from '../../core/app-error.ts';

/** One HTTP answer, body as text (DAV bodies are XML, iCalendar or vCard: UTF-8 text). */
export interface DavHttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The URL that answered (after redirects). */
  readonly url: string;
}

/** A request. */
export interface DavHttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Follow up to 5 redirects (discovery only; never for writes). */
  readonly followRedirects?: boolean;
}

const RETRIES = 3;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The HTTP client of one session. */
export class DavHttp {
  readonly #endpoint: DavEndpoint;
  readonly #agent: HttpAgent | HttpsAgent;
  readonly #authorization: string | null;
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(endpoint: DavEndpoint) {
    this.#endpoint = endpoint;
    const max = Math.max(1, endpoint.maxConnections);
    this.#agent = endpoint.url.startsWith('https:')
      ? new HttpsAgent({ keepAlive: true, maxSockets: max, rejectUnauthorized: endpoint.tlsVerify, ...(endpoint.tlsCa ? { ca: endpoint.tlsCa } : {}) })
      : new HttpAgent({ keepAlive: true, maxSockets: max });
    const auth = endpoint.auth;
    const login = auth.kind === 'password' ? `${auth.user}:${auth.password}` : auth.kind === 'admin' ? `${auth.adminUser}:${auth.password}` : null;
    this.#authorization = login === null ? null : `Basic ${Buffer.from(login, 'utf8').toString('base64')}`;
  }

  /** Sends a request; throws AppError for no answer, 401/403, 5xx and 429 after retries. Other statuses are returned. */
  async send(req: DavHttpRequest): Promise<DavHttpResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.#withSlot(() => this.#follow(req));
        if (response.status === 401 || response.status === 403) throw mapDavStatus({ method: req.method, url: req.url, status: response.status, body: response.body });
        if (response.status >= 500 || response.status === 429) {
          const err = mapDavStatus({ method: req.method, url: req.url, status: response.status, body: response.body });
          if (attempt < RETRIES && err.retry === 'transient') {
            await sleep(retryAfterMs(response.headers) ?? 250 * 2 ** attempt);
            continue;
          }
          throw err;
        }
        return response;
      } catch (thrown) {
        const err = mapDavNetworkError(thrown, req.method, req.url);
        // A write is retried only when the connection failed before an answer; the caller's write-ahead
        // record and If-None-Match make a repeated PUT harmless.
        if (err.retry === 'transient' && attempt < RETRIES && !(thrown instanceof AppError)) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        throw err;
      }
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }

  async #withSlot<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#inFlight >= Math.max(1, this.#endpoint.maxConnections)) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#inFlight++;
    try {
      return await fn();
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }

  async #follow(req: DavHttpRequest): Promise<DavHttpResponse> {
    let url = req.url;
    for (let hop = 0; ; hop++) {
      const response = await this.#once({ ...req, url });
      const location = response.headers.location;
      if (req.followRedirects && [301, 302, 303, 307, 308].includes(response.status) && location && hop < 5) {
        url = new URL(location, url).toString();
        continue;
      }
      return response;
    }
  }

  #once(req: DavHttpRequest): Promise<DavHttpResponse> {
    const url = new URL(req.url);
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const headers: Record<string, string> = { 'User-Agent': 'cutover', ...req.headers };
    if (this.#authorization) headers['Authorization'] = this.#authorization;
    if (body) headers['Content-Length'] = String(body.length);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const timeoutMs = (this.#endpoint.timeoutSeconds ?? 60) * 1000;
    return new Promise((resolve, reject) => {
      const request = send(url, { method: req.method, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), url: url.toString() }));
      });
      request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error('timeout'), { code: 'DAV_TIMEOUT' })));
      request.on('error', reject);
      request.end(body);
    });
  }
}

function retryAfterMs(headers: IncomingHttpHeaders): number | null {
  const value = headers['retry-after'];
  if (!value) return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? Math.min(seconds, 30) * 1000 : null;
}

/** The ETag header of a response (RFC 9110 §8.8.3), or null. Weak ETags are kept as given. */
export function etagOf(headers: IncomingHttpHeaders): string | null {
  const value = headers.etag;
  return typeof value === 'string' && value !== '' ? value : null;
}
