/**
 * The portal's one way to the server: JSON over fetch, same origin, the session cookie. Errors come
 * back as `ApiError` with the API's `{ code, message, hint }`; a 401 tells the app to show the login.
 */

/** An error answer of the API. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, hint = '', details: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.hint = hint;
    this.details = details;
  }

  /** True when the server has no such route (an older server, or a feature not there yet). */
  get routeMissing(): boolean {
    return this.status === 404 && this.code === 'API_NOT_FOUND';
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called whenever a request answers 401 (the session ended). Returns an unsubscribe function. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  hint?: unknown;
  details?: unknown;
}

async function toError(res: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await res.json()) as ErrorBody;
  } catch {
    // not JSON: keep the status line
  }
  const code = typeof body.code === 'string' ? body.code : `HTTP_${res.status}`;
  const message = typeof body.message === 'string' ? body.message : res.statusText;
  return new ApiError(res.status, code, message, typeof body.hint === 'string' ? body.hint : '', body.details ?? null);
}

/** Options of `request`. */
export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  /** Send the body as it is with this content type (CSV). */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

/** Sends a request and parses the JSON answer; throws ApiError on an error status. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = options.contentType ?? 'application/json';
    body = typeof options.body === 'string' && options.contentType ? options.body : JSON.stringify(options.body);
  }
  const res = await fetch(path, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && !path.startsWith('/api/auth/login')) for (const l of unauthorizedListeners) l();
    throw err;
  }
  return (await res.json()) as T;
}

/** POST with a JSON body (or none). */
export function post<T>(path: string, body?: unknown): Promise<T> {
  return request<T>(path, { method: 'POST', body: body ?? {} });
}

/** A readable message for any thrown value. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.hint ? `${err.message} — ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
