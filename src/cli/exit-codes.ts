/**
 * Exit codes of `cutover sync`. They are imapsync's own numbers, so scripts written for imapsync
 * keep working (docs/cli-sync.md lists them).
 */
import type { AppError } from '../core/app-error.ts';
import type { PassOutcome } from '../engine/pass-types.ts';

export const EXIT = {
  OK: 0,
  CATCH_ALL: 1,
  BY_SIGNAL: 6,
  CONNECTION_FAILURE: 10,
  TLS_FAILURE: 12,
  AUTHENTICATION_FAILURE: 16,
  SUBFOLDER1_NO_EXISTS: 21,
  USAGE: 64,
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  CONNECTION_FAILURE_HOST1: 101,
  CONNECTION_FAILURE_HOST2: 102,
  WITH_ERRORS: 111,
  OVERQUOTA: 113,
  ERR_APPEND: 114,
  ERR_FETCH: 115,
  ERR_CREATE: 116,
  ERR_SELECT: 117,
  AUTHENTICATION_FAILURE_USER1: 161,
  AUTHENTICATION_FAILURE_USER2: 162,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Which side an error came from, as the engine tags it in `details.side`. */
function side(err: AppError): 1 | 2 | null {
  const value = err.details['side'];
  return value === 'source' ? 1 : value === 'target' ? 2 : null;
}

/** The exit code for an error that stopped everything. */
export function exitCodeForError(err: AppError): ExitCode {
  switch (err.code) {
    case 'USAGE_INVALID':
    case 'CONFIG_INVALID':
    case 'FILTER_INVALID':
      return EXIT.USAGE;
    case 'IMAP_AUTH_FAILED':
    case 'IMAP_AUTHZ_FAILED':
    case 'IMAP_AUTH_UNSUPPORTED':
      return side(err) === 1 ? EXIT.AUTHENTICATION_FAILURE_USER1 : side(err) === 2 ? EXIT.AUTHENTICATION_FAILURE_USER2 : EXIT.AUTHENTICATION_FAILURE;
    case 'IMAP_CONNECT_FAILED':
    case 'IMAP_TIMEOUT':
    case 'IMAP_CONNECTION_LOST':
      return side(err) === 1 ? EXIT.CONNECTION_FAILURE_HOST1 : side(err) === 2 ? EXIT.CONNECTION_FAILURE_HOST2 : EXIT.CONNECTION_FAILURE;
    case 'IMAP_TLS_FAILED':
      return EXIT.TLS_FAILURE;
    case 'TARGET_QUOTA_EXCEEDED':
      return EXIT.OVERQUOTA;
    case 'FOLDER_NOT_FOUND':
      return EXIT.SUBFOLDER1_NO_EXISTS;
    case 'PASS_INTERRUPTED':
      return EXIT.BY_SIGNAL;
    case 'DB_UNAVAILABLE':
    case 'DATA_DIR_LOCKED':
    case 'PASS_ALREADY_RUNNING':
      return EXIT.UNAVAILABLE;
    case 'INTERNAL':
      return EXIT.SOFTWARE;
    default:
      return EXIT.CATCH_ALL;
  }
}

/** The exit code for a finished pass: 0 only when every item is on the target or excluded. */
export function exitCodeForOutcome(outcome: PassOutcome): ExitCode {
  if (outcome.error) return exitCodeForError(outcome.error);
  if (outcome.status === 'interrupted') return EXIT.BY_SIGNAL;
  const codes = new Set<string>();
  for (const folder of outcome.folders) if (folder.error) codes.add(folder.error.code);
  if (outcome.warnings.some((w) => w.includes('could not be created'))) codes.add('FOLDER_CREATE_FAILED');
  if (codes.has('TARGET_QUOTA_EXCEEDED')) return EXIT.OVERQUOTA;
  if (codes.has('FOLDER_CREATE_FAILED')) return EXIT.ERR_CREATE;
  if (codes.has('FOLDER_SELECT_FAILED')) return EXIT.ERR_SELECT;
  if (outcome.counts.failed > 0) return EXIT.ERR_APPEND;
  if (codes.size > 0 || outcome.status !== 'completed') return EXIT.WITH_ERRORS;
  return EXIT.OK;
}
