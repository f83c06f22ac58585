/**
 * The one registry of error codes. Every `AppError` carries one of these names; the names are stable
 * (users grep logs and scripts match on them), so never rename one — add a new code instead.
 * `docs/errors.md` documents each code; a unit test fails when one is missing there.
 *
 * Retry classes (DESIGN.md, "Errors are classified"):
 * - `transient`: network, throttling, a server restart — back off and retry.
 * - `item`: this one item is rejected — record it as failed and go on with the rest.
 * - `user`: needs a person (bad credentials, quota full, bad settings) — stop the pair, tell someone.
 */
export type RetryClass = 'transient' | 'item' | 'user';

export interface ErrorCodeSpec {
  readonly retry: RetryClass;
  /** HTTP status the API answers with. */
  readonly http: number;
  /** What the user should do; shown after the message. */
  readonly hint: string;
}

export const ERROR_CODES = {
  // --- configuration and usage
  CONFIG_INVALID: { retry: 'user', http: 400, hint: 'Fix the listed settings (flags, environment or config file) and run again.' },
  USAGE_INVALID: { retry: 'user', http: 400, hint: 'Run the command with --help to see the accepted options.' },
  FILTER_INVALID: { retry: 'user', http: 400, hint: 'Check the filter option (regular expression, age in days, size in bytes).' },

  // --- store
  DB_UNAVAILABLE: { retry: 'transient', http: 503, hint: 'Check DATABASE_URL, or that the data folder is writable for the embedded database.' },
  DB_MIGRATION_FAILED: { retry: 'user', http: 500, hint: 'The database schema could not be upgraded; see the cause, restore a backup if needed.' },
  DATA_DIR_LOCKED: { retry: 'user', http: 409, hint: 'Another cutover process uses this data folder; wait for it, or pass a different --data-dir.' },

  // --- IMAP connection and session
  IMAP_CONNECT_FAILED: { retry: 'transient', http: 502, hint: 'Check the host name and port, and that the server is reachable from this machine.' },
  IMAP_TIMEOUT: { retry: 'transient', http: 504, hint: 'The server stopped answering; it may be overloaded. The pass is retried.' },
  IMAP_CONNECTION_LOST: { retry: 'transient', http: 502, hint: 'The connection dropped mid-pass; the next pass resumes where this one stopped.' },
  IMAP_TLS_FAILED: { retry: 'user', http: 502, hint: 'Check the TLS mode (--ssl/--tls) and the certificate; use the endpoint TLS opt-out only for servers you trust.' },
  IMAP_AUTH_FAILED: { retry: 'user', http: 401, hint: 'Check the user name and password (or token) for this account.' },
  IMAP_AUTHZ_FAILED: { retry: 'user', http: 403, hint: 'The admin (master) user logged in but may not act as this user; check the user exists and the admin rights.' },
  IMAP_AUTH_UNSUPPORTED: { retry: 'user', http: 400, hint: 'The server does not offer the needed login method (for example AUTH=XOAUTH2); choose another auth mode.' },
  IMAP_THROTTLED: { retry: 'transient', http: 429, hint: 'The server limits this account; Cutover backs off and retries. Lower the connection limit if it persists.' },
  IMAP_CAPABILITY_MISSING: { retry: 'user', http: 400, hint: 'The server lacks a capability Cutover needs (see details).' },
  IMAP_PROTOCOL_ERROR: { retry: 'transient', http: 502, hint: 'The server sent something Cutover could not understand; the command is retried on a new connection.' },
  IMAP_COMMAND_FAILED: { retry: 'transient', http: 502, hint: 'The server refused a command (see the server text in details).' },

  // --- folders
  FOLDER_NOT_FOUND: { retry: 'user', http: 404, hint: 'The folder does not exist on the source; check --folder and --include.' },
  FOLDER_CREATE_FAILED: { retry: 'item', http: 502, hint: 'The target refused to create this folder (name, hierarchy or permissions); rename it with --regextrans2 or create it by hand.' },
  FOLDER_SELECT_FAILED: { retry: 'item', http: 502, hint: 'The folder could not be opened; its messages are retried on the next pass.' },

  // --- items
  ITEM_TOO_LARGE: { retry: 'item', http: 413, hint: 'The message is larger than the target accepts (APPENDLIMIT); raise the limit on the target or exclude it.' },
  ITEM_REJECTED: { retry: 'item', http: 422, hint: 'The target refused this message (see the server text); the rest of the mailbox goes on.' },
  ITEM_FETCH_FAILED: { retry: 'item', http: 502, hint: 'The source could not deliver this message; it is retried on the next pass.' },
  ITEM_VANISHED: { retry: 'item', http: 410, hint: 'The message was deleted at the source during the pass; nothing to copy.' },
  TARGET_QUOTA_EXCEEDED: { retry: 'user', http: 507, hint: 'The target mailbox is full; raise its quota, then run a delta pass.' },

  // --- passes and pairs
  PASS_ALREADY_RUNNING: { retry: 'transient', http: 409, hint: 'A pass for this mailbox pair is already running; wait for it to finish.' },
  PASS_INTERRUPTED: { retry: 'transient', http: 503, hint: 'The pass was interrupted (shutdown or signal); run it again to resume — nothing is copied twice.' },
  PAIR_NOT_FOUND: { retry: 'user', http: 404, hint: 'No such mailbox pair; list the pairs to find its id.' },

  // --- anything else
  INTERNAL: { retry: 'transient', http: 500, hint: 'An unexpected error; please report it with the log lines around it.' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
