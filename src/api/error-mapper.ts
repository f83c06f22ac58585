/**
 * The API's one error mapper: every error leaves as `{ code, message, hint, details }` with the HTTP
 * status of its code in the registry (core/error-codes.ts). Unknown errors become INTERNAL with a
 * generic message, so internals (SQL, stack traces) never reach a client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, isAppError } from '../core/app-error.ts';
import { ERROR_CODES, type ErrorCode } from '../core/error-codes.ts';

/** The body of every error response. */
export const ErrorBody = z.object({
  code: z.string().describe('stable error code, see docs/errors.md'),
  message: z.string(),
  hint: z.string(),
  details: z.record(z.string(), z.unknown()),
}).meta({ id: 'Error' });

/** An error response: status and body. */
export interface ErrorResponse {
  readonly status: number;
  readonly body: z.infer<typeof ErrorBody>;
}

function body(code: ErrorCode, message: string, details: Record<string, unknown> = {}): ErrorResponse {
  return { status: ERROR_CODES[code].http, body: { code, message, hint: ERROR_CODES[code].hint, details } };
}

/** Fastify's own errors (body parsing, limits) by their `code`. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'API_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'API_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'API_VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'API_VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'API_VALIDATION_FAILED',
  FST_ERR_NOT_FOUND: 'API_NOT_FOUND',
};

/** Maps anything thrown by a route or hook to an error response. */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (isAppError(err)) return body(err.code, err.message, { ...err.details });
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((issue) => ({
      path: issue.instancePath || '/',
      message: issue.message ?? 'invalid',
    }));
    const part = (err as { validationContext?: string }).validationContext ?? 'request';
    return body('API_VALIDATION_FAILED', `the ${part} is invalid: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { part, issues });
  }
  if (isResponseSerializationError(err)) return body('INTERNAL', 'the server built an invalid response');
  const fastifyError = err as Partial<FastifyError>;
  const mapped = typeof fastifyError.code === 'string' ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return body(mapped, fastifyError.message ?? mapped);
  if (err instanceof SyntaxError) return body('API_VALIDATION_FAILED', 'the body is not valid JSON');
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) return { ...body('API_VALIDATION_FAILED', fastifyError.message ?? 'bad request'), status };
  return body('INTERNAL', 'an unexpected error; see the server log');
}

/** Fastify error handler: logs server-side failures (never the request body) and answers the mapped body. */
export function apiErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const response = toErrorResponse(err);
  if (response.status >= 500) {
    request.log.error({ err: isAppError(err) ? err.toJSON() : err, code: response.body.code }, 'request failed');
  } else {
    request.log.info({ code: response.body.code, status: response.status }, 'request refused');
  }
  return reply.status(response.status).type('application/json; charset=utf-8').send(response.body);
}

/** The 404 for unknown routes, in the same shape as every other error. */
export function notFoundError(method: string, url: string): AppError {
  return new AppError('API_NOT_FOUND', `no route ${method} ${url.split('?')[0] ?? url}`);
}
