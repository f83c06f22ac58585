import { ERROR_CODES, type ErrorCode, type RetryClass } from './error-codes.ts';

/** Log-safe details: never put credentials here; they are logged and returned by the API. */
export type ErrorDetails = Readonly<Record<string, string | number | boolean | null | undefined>>;

/**
 * The one error type of Cutover. `code` names the case (see error-codes.ts), `retry` says what the
 * caller should do, `details` carries what a user needs to act (folder, server text), never secrets.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retry: RetryClass;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: ErrorDetails; retry?: RetryClass } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retry = options.retry ?? ERROR_CODES[code].retry;
    this.details = options.details ?? {};
  }

  /** The hint of the code: what to do about it. */
  get hint(): string {
    return ERROR_CODES[this.code].hint;
  }

  /** JSON shape for logs, `--json` output and the API. */
  toJSON(): { code: ErrorCode; message: string; retry: RetryClass; hint: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, retry: this.retry, hint: this.hint, details: this.details };
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Wraps anything thrown into an AppError (unknown errors become INTERNAL, keeping the cause). */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('INTERNAL', message, { cause: err });
}

/** The same error with more log-safe details (e.g. which side of a pair it came from). */
export function withDetails(err: AppError, extra: ErrorDetails): AppError {
  const copy = new AppError(err.code, err.message, { cause: err.cause, details: { ...err.details, ...extra }, retry: err.retry });
  copy.stack = err.stack;
  return copy;
}
