/**
 * What `cutover doctor` prints for one endpoint check: the steps (connect, TLS, login, master user,
 * capabilities) with OK / FAIL / skipped, derived from the one login attempt and its error code.
 */
import type { ErrorCode } from '../core/error-codes.ts';
import type { TlsMode } from '../core/endpoint.ts';

/** A check as both the direct connector path and the API's "test connection" report it. */
export interface DoctorCheck {
  readonly side: 'source' | 'target';
  readonly server: string;
  readonly tls: TlsMode;
  readonly user: string | null;
  /** 'master' adds the master-user step. */
  readonly authKind: 'password' | 'master' | 'oauth2';
  readonly adminUser: string | null;
  readonly ok: boolean;
  readonly serverName: string | null;
  readonly capabilities: readonly string[];
  readonly missing: readonly string[];
  readonly error: { readonly code: string; readonly message: string; readonly hint: string } | null;
}

/** One line of the report. */
export interface DoctorStep {
  readonly step: 'connect' | 'tls' | 'login' | 'master user' | 'capabilities';
  readonly status: 'ok' | 'fail' | 'skipped' | 'warn';
  readonly text: string;
}

const CONNECT_ERRORS: readonly string[] = ['IMAP_CONNECT_FAILED', 'IMAP_TIMEOUT', 'IMAP_CONNECTION_LOST', 'IMAP_PROTOCOL_ERROR'];
const LOGIN_ERRORS: readonly string[] = ['IMAP_AUTH_FAILED', 'IMAP_AUTH_UNSUPPORTED', 'IMAP_THROTTLED', 'IMAP_COMMAND_FAILED'];

/** The step that failed for an error code: connect, TLS, login (or master user for authorization). */
function failedStep(code: string, authKind: DoctorCheck['authKind']): DoctorStep['step'] {
  if (CONNECT_ERRORS.includes(code)) return 'connect';
  if (code === ('IMAP_TLS_FAILED' satisfies ErrorCode)) return 'tls';
  if (code === ('IMAP_AUTHZ_FAILED' satisfies ErrorCode) && authKind === 'master') return 'master user';
  if (LOGIN_ERRORS.includes(code)) return 'login';
  return 'login';
}

/** The steps of a check, in order; everything after the failed step is skipped. */
export function doctorSteps(check: DoctorCheck): DoctorStep[] {
  const order: Array<DoctorStep['step']> = ['connect', 'tls', 'login', ...(check.authKind === 'master' ? ['master user' as const] : []), 'capabilities'];
  const failed = check.error ? failedStep(check.error.code, check.authKind) : null;
  const failedAt = failed === null ? order.length : order.indexOf(failed);
  return order.map((step, i): DoctorStep => {
    if (i > failedAt) return { step, status: 'skipped', text: 'skipped' };
    if (i === failedAt && check.error) return { step, status: 'fail', text: `${check.error.code}: ${check.error.message}` };
    switch (step) {
      case 'connect':
        return { step, status: 'ok', text: `reached ${check.server}` };
      case 'tls':
        return check.tls === 'none'
          ? { step, status: 'warn', text: 'plain text (no TLS): passwords cross the network readable' }
          : { step, status: 'ok', text: check.tls === 'implicit' ? 'implicit TLS' : 'STARTTLS' };
      case 'login':
        return { step, status: 'ok', text: check.authKind === 'master' ? `admin ${check.adminUser ?? ''} logged in` : `logged in as ${check.user ?? ''} (${check.authKind})` };
      case 'master user':
        return { step, status: 'ok', text: `admin ${check.adminUser ?? ''} may act as ${check.user ?? ''}` };
      case 'capabilities': {
        const wanted = ['UIDPLUS', 'CONDSTORE', 'MULTIAPPEND'].map((c) => `${c} ${check.missing.includes(c) ? 'no' : 'yes'}`).join(', ');
        return { step, status: check.missing.length > 0 ? 'warn' : 'ok', text: wanted };
      }
    }
  });
}

const MARK: Readonly<Record<DoctorStep['status'], string>> = { ok: 'OK  ', fail: 'FAIL', skipped: '--  ', warn: 'WARN' };

/** The text report of one check. */
export function doctorText(check: DoctorCheck): string {
  const head = `${check.side}: ${check.user ?? '(no user)'} @ ${check.server}${check.serverName ? ` — ${check.serverName}` : ''}`;
  const lines = doctorSteps(check).map((s) => `  ${MARK[s.status]}  ${s.step.padEnd(12)} ${s.text}`);
  if (check.error) lines.push(`        hint: ${check.error.hint}`);
  if (check.missing.length > 0) lines.push(`        without ${check.missing.join(', ')} Cutover still works, with more round trips (see docs/passes-and-ledger.md)`);
  return [head, ...lines].join('\n');
}
