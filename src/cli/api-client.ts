/**
 * The CLI's client of the Cutover HTTP API. Base URL from --url or CUTOVER_URL (default
 * http://127.0.0.1:8080), API token from --token or CUTOVER_TOKEN, else what `cutover login` stored
 * for that URL (credentials-file.ts). API errors come back as the
 * server's AppError (same code, message and details), so CLI output and exit codes match the server.
 */
import { AppError } from '../core/app-error.ts';
import { isErrorCode } from '../core/error-codes.ts';
import { loadCredential } from './credentials-file.ts';

/** The session cookie `cutover serve` sets at login (src/api/auth/authenticate.ts). */
export const SESSION_COOKIE_NAME = 'cutover_session';

/** Where the server is and how to authenticate. */
export interface ApiClientOptions {
  readonly url: string;
  readonly token?: string;
  /** A login session cookie value (what `cutover login` keeps for users who may not create tokens). */
  readonly sessionCookie?: string;
  /** For tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** One request. `query` values that are undefined are left out. */
export interface ApiRequest {
  readonly method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as is, with `contentType`. */
  readonly text?: string;
  readonly contentType?: string;
}

/** The default server address of `cutover serve`. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** Flags every API command takes. */
export interface ApiFlags {
  url?: string;
  token?: string;
}

/** Client options from flags, then the environment, then defaults. */
export function apiClientOptions(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env): ApiClientOptions {
  const url = (flags.url ?? env['CUTOVER_URL'] ?? DEFAULT_API_URL).replace(/\/+$/, '');
  const token = flags.token ?? env['CUTOVER_TOKEN'];
  if (token) return { url, token };
  const stored = loadCredential(url, env);
  if (stored?.kind === 'token') return { url, token: stored.token };
  if (stored?.kind === 'session') return { url, sessionCookie: stored.cookie };
  return { url };
}

/** A small typed client: `get`, `post`, `patch`, `delete`, and `request` for the rest. */
export class ApiClient {
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #sessionCookie: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.#url = options.url;
    this.#token = options.token;
    this.#sessionCookie = options.sessionCookie;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Base URL of the server. */
  get url(): string {
    return this.#url;
  }

  /** Sends a request; returns parsed JSON (or text for non-JSON answers); throws AppError on errors. */
  async request<T = unknown>(path: string, req: ApiRequest = {}): Promise<T> {
    const url = new URL(this.#url + path);
    for (const [key, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers['authorization'] = `Bearer ${this.#token}`;
    else if (this.#sessionCookie) headers['cookie'] = `${SESSION_COOKIE_NAME}=${this.#sessionCookie}`;
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.text !== undefined) {
      headers['content-type'] = req.contentType ?? 'text/plain';
      body = req.text;
    }
    let response: Response;
    try {
      response = await this.#fetch(url, { method: req.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
    } catch (err) {
      const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new AppError('API_UNREACHABLE', `cannot reach the Cutover server at ${this.#url}: ${reason}`, { cause: err, details: { url: this.#url } });
    }
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    const parsed: unknown = isJson && text !== '' ? JSON.parse(text) : text;
    if (!response.ok) throw errorFromResponse(response.status, parsed);
    return parsed as T;
  }

  /** GET path. */
  get<T = unknown>(path: string, query?: ApiRequest['query']): Promise<T> {
    return this.request<T>(path, { method: 'GET', ...(query ? { query } : {}) });
  }

  /** POST path with a JSON body. */
  post<T = unknown>(path: string, json: unknown = {}, query?: ApiRequest['query']): Promise<T> {
    return this.request<T>(path, { method: 'POST', json, ...(query ? { query } : {}) });
  }

  /** PATCH path with a JSON body. */
  patch<T = unknown>(path: string, json: unknown): Promise<T> {
    return this.request<T>(path, { method: 'PATCH', json });
  }

  /** DELETE path. */
  delete<T = unknown>(path: string): Promise<T> {
    return this.request<T>(path, { method: 'DELETE' });
  }
}

/** The server's error body back into an AppError; unknown codes become INTERNAL with the code in details. */
export function errorFromResponse(status: number, body: unknown): AppError {
  const data = (typeof body === 'object' && body !== null ? body : {}) as { code?: unknown; message?: unknown; details?: unknown };
  const message = typeof data.message === 'string' ? data.message : `the server answered HTTP ${status}`;
  const details: Record<string, string | number | boolean | null> = { status };
  if (typeof data.details === 'object' && data.details !== null) {
    for (const [key, value] of Object.entries(data.details)) {
      details[key] = value === null || ['string', 'number', 'boolean'].includes(typeof value) ? (value as string | number | boolean | null) : JSON.stringify(value);
    }
  }
  if (typeof data.code === 'string' && isErrorCode(data.code)) return new AppError(data.code, message, { details });
  if (status === 401) return new AppError('API_UNAUTHENTICATED', message, { details });
  if (status === 403) return new AppError('API_FORBIDDEN', message, { details });
  if (status === 404) return new AppError('API_NOT_FOUND', message, { details });
  return new AppError('INTERNAL', message, { details: { ...details, code: typeof data.code === 'string' ? data.code : null } });
}
