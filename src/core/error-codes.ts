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

  // --- projects, endpoints, batches, CSV import (helper A)
  PROJECT_NOT_FOUND: { retry: 'user', http: 404, hint: 'No such project; list the projects to find its id.' },
  PROJECT_INVALID: { retry: 'user', http: 400, hint: 'The project settings are incomplete or wrong (see details); fix them and try again.' },
  PROJECT_CONFLICT: { retry: 'user', http: 409, hint: 'The change conflicts with existing data (a project name in use, a second test batch); see details.' },
  ENDPOINT_NOT_FOUND: { retry: 'user', http: 404, hint: 'No such endpoint; list the endpoints to find its id.' },
  ENDPOINT_INVALID: { retry: 'user', http: 400, hint: 'The endpoint settings are wrong (every problem is listed in details); fix them and try again.' },
  ENDPOINT_CONFLICT: { retry: 'user', http: 409, hint: 'An endpoint for this server and login method exists already; use it (its id is in details) instead of a second one.' },
  PAIR_CREDENTIALS_MISSING: { retry: 'user', http: 400, hint: 'The pair has no password and its endpoint no admin (master) secret; import the row again with a password, or set the endpoint admin password.' },
  CSV_INVALID: { retry: 'user', http: 400, hint: 'The file is not a CSV Cutover can read (header, quoting); see docs/csv-formats.md for the accepted formats.' },
  CSV_ROW_INVALID: { retry: 'user', http: 422, hint: 'Some rows are invalid (each is listed with its line number); fix them, or import only the valid rows.' },

  // --- HTTP API, auth and the CLI over it (helper C)
  API_VALIDATION_FAILED: { retry: 'user', http: 400, hint: 'The request does not match the API schema; see details.issues (path and message) and /openapi.json.' },
  API_UNAUTHENTICATED: { retry: 'user', http: 401, hint: 'Log in (POST /api/auth/login) or send an API token: Authorization: Bearer cut_….' },
  API_LOGIN_FAILED: { retry: 'user', http: 401, hint: 'Wrong email or password, or the user is disabled.' },
  API_FORBIDDEN: { retry: 'user', http: 403, hint: 'Your role may not do this (viewer: read only; operator: run and change projects; admin: also users and tokens).' },
  API_NOT_FOUND: { retry: 'user', http: 404, hint: 'No such resource (or route); check the id, or list the resources to find it.' },
  API_CONFLICT: { retry: 'user', http: 409, hint: 'The request conflicts with existing data (for example a duplicate email or name); see details.' },
  API_PAYLOAD_TOO_LARGE: { retry: 'user', http: 413, hint: 'The request body is too large; split the CSV into several files.' },
  API_UNSUPPORTED_MEDIA_TYPE: { retry: 'user', http: 415, hint: 'Send JSON (application/json), or text/csv where a route accepts CSV.' },
  API_UNREACHABLE: { retry: 'transient', http: 503, hint: 'The Cutover server cannot be reached; check --url / CUTOVER_URL and that `cutover serve` runs.' },

  // --- queue, workers, connection caps, verify (helper B)
  PAIR_PAUSED: { retry: 'user', http: 409, hint: 'The mailbox pair (or its project) is paused; resume it first.' },
  TASK_DATA_INVALID: { retry: 'user', http: 400, hint: 'A queued task has an unknown name or data that does not match its schema (see details); this is a bug in the caller.' },
  QUEUE_UNAVAILABLE: { retry: 'transient', http: 503, hint: 'The job queue (pg-boss) could not start or answer; check the database and its log.' },
  PASS_HANDED_BACK: { retry: 'transient', http: 503, hint: 'The worker stopped (SIGTERM, lost database connection) and returned the pass to the queue; another worker resumes it.' },
  ENDPOINT_SLOT_TIMEOUT: { retry: 'transient', http: 503, hint: 'No connection slot of the endpoint came free in time; the pass is retried. Raise the endpoint connection limit if this persists.' },
  VERIFY_MISSING: { retry: 'item', http: 410, hint: 'A verify pass found this migrated message missing on the target; the next delta pass copies it again.' },

  // --- CalDAV / CardDAV (helper D, issue 6)
  DAV_CONNECT_FAILED: { retry: 'transient', http: 502, hint: 'Check the CalDAV/CardDAV URL (host, port, http/https) and that the server is reachable from this machine.' },
  DAV_TIMEOUT: { retry: 'transient', http: 504, hint: 'The DAV server stopped answering; it may be overloaded. The pass is retried.' },
  DAV_TLS_FAILED: { retry: 'user', http: 502, hint: 'TLS to the DAV server failed; check the certificate, trust its CA with --cafileN, or use --insecureN only for servers you trust.' },
  DAV_AUTH_FAILED: { retry: 'user', http: 401, hint: 'The DAV server refused the user name or password (HTTP 401); check the credentials.' },
  DAV_FORBIDDEN: { retry: 'user', http: 403, hint: 'The DAV server refused access (HTTP 403); with an admin login, check that the admin may read or write this user\'s collections.' },
  DAV_DISCOVERY_FAILED: { retry: 'user', http: 404, hint: 'No principal or calendar/address-book home was found at this URL; give the server root or the home-set URL itself.' },
  DAV_THROTTLED: { retry: 'transient', http: 429, hint: 'The DAV server limits this account (HTTP 429/503); Cutover backs off and retries.' },
  DAV_SERVER_ERROR: { retry: 'transient', http: 502, hint: 'The DAV server failed (HTTP 5xx); the request is retried, see the server log if it persists.' },
  DAV_PROTOCOL_ERROR: { retry: 'transient', http: 502, hint: 'The DAV server sent a response Cutover could not read (see details); it is retried.' },
  DAV_REQUEST_FAILED: { retry: 'transient', http: 502, hint: 'The DAV server answered a request with an unexpected status (see details).' },
  DAV_SYNC_TOKEN_INVALID: { retry: 'transient', http: 409, hint: 'The server no longer knows the stored sync-token (RFC 6578 valid-sync-token); Cutover lists the collection again, nothing to do.' },
  DAV_COLLECTION_CREATE_FAILED: { retry: 'item', http: 502, hint: 'The target refused to create this calendar or address book; create it by hand or map it to an existing one with --dav-map.' },
  DAV_ITEM_INVALID: { retry: 'item', http: 422, hint: 'The source item is not valid iCalendar/vCard (the parser\'s reason is given); fix it at the source, the rest goes on.' },
  DAV_ITEM_REJECTED: { retry: 'item', http: 422, hint: 'The target refused this event or contact (see the server text); the rest of the collection goes on.' },
  DAV_ITEM_CONFLICT: { retry: 'item', http: 409, hint: 'The item changed at the source and was also changed on the target since it was migrated; the target copy is kept. Resolve it by hand.' },
  DAV_UID_CONFLICT: { retry: 'item', http: 409, hint: 'The target collection already holds another item with this UID that Cutover cannot match; check for a duplicate at the target.' },
  DAV_QUOTA_EXCEEDED: { retry: 'user', http: 507, hint: 'The target account is out of storage (HTTP 507); raise its quota, then run a delta pass.' },

  // --- cutover orchestration: status flow, steps, providers, DNS, notifications (helper E, issue 4)
  PROJECT_INVALID_TRANSITION: { retry: 'user', http: 409, hint: 'The project is not in a status that allows this (see details.status); check docs/status-flow.md.' },
  PROJECT_SETTINGS_FROZEN: { retry: 'user', http: 409, hint: 'Settings are frozen from T−4h and after the cutover; move the cutover time first if the change must happen.' },
  STEP_NOT_RETRYABLE: { retry: 'user', http: 409, hint: 'Only a failed step can be retried; list the steps to see their status.' },
  ALERT_NOT_FOUND: { retry: 'user', http: 404, hint: 'No such alert; list the project alerts to find its id.' },
  MAILBOX_CREATION_FAILED: { retry: 'user', http: 502, hint: '25% or more of the target mailbox creations failed; see the step log for each account, fix the cause, retry the step.' },
  PROVIDER_INVALID: { retry: 'user', http: 400, hint: 'The target provider settings are wrong (see details); fix them and retry the step.' },
  PROVIDER_ACCESS_FAILED: { retry: 'user', http: 502, hint: 'Cutover cannot administer the target (admin login or user database refused); check the provider credentials and permissions.' },
  PROVIDER_INSUFFICIENT_LICENCES: { retry: 'user', http: 409, hint: 'The target has fewer free licences (or account slots) than the project needs; add licences, then retry the step.' },
  PROVIDER_ACCOUNT_FAILED: { retry: 'item', http: 502, hint: 'One target account could not be created or logged in to (see details); fix it by hand or retry the step.' },
  DNS_LOOKUP_FAILED: { retry: 'transient', http: 502, hint: 'The DNS resolvers did not answer (timeout, SERVFAIL, refused); check the configured resolvers. The check is retried.' },
  MX_HOSTS_MISSING: { retry: 'user', http: 400, hint: 'Set the target MX hosts (settings.targetMxHosts) so Cutover can tell whether the MX record moved.' },
  READINESS_FAILED: { retry: 'user', http: 409, hint: 'The readiness check before the cutover found problems (listed in the step log and emailed to the contact); fix them, then retry the step.' },
  SMTP_SEND_FAILED: { retry: 'transient', http: 502, hint: 'The SMTP server did not accept the notification; it is retried with backoff. Check the SMTP settings if it persists.' },
  NOTIFICATION_TEMPLATE_INVALID: { retry: 'user', http: 400, hint: 'The template uses an unknown placeholder or is empty (see details); the placeholders are listed in docs/notifications.md.' },
  FAKE_CLOCK_OFF: { retry: 'user', http: 404, hint: 'The server runs on real time; start it with --fake-clock (CUTOVER_FAKE_CLOCK) for demonstrations and tests.' },
  FAKE_CLOCK_BACKWARDS: { retry: 'user', http: 409, hint: 'The fake clock only moves forward; give a later time or a positive advanceBy.' },
  FAKE_CLOCK_MISMATCH: { retry: 'user', http: 409, hint: 'The database runs on a fake clock (a demonstration); start every process of it with --fake-clock, or use another database.' },
  GO_DECISION_REQUIRED: { retry: 'user', http: 409, hint: 'The test batch must complete and a go decision be recorded (POST /api/projects/:id/go-decision) before the other batches start.' },

  // --- anything else
  INTERNAL: { retry: 'transient', http: 500, hint: 'An unexpected error; please report it with the log lines around it.' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
