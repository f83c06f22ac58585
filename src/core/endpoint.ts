/**
 * How to reach one IMAP account (DESIGN.md "endpoint" plus the account on it). Secrets live only in
 * `ImapAuth`; log and display an endpoint with `describeEndpoint`, never by serialising it.
 */

/** `implicit`: TLS from the first byte (port 993). `starttls`: plain, then STARTTLS (RFC 3501 §6.2.1). `none`: plain text, only when asked. */
export type TlsMode = 'implicit' | 'starttls' | 'none';

export type ImapAuth =
  /** LOGIN / AUTHENTICATE PLAIN as the user. */
  | { readonly kind: 'password'; readonly user: string; readonly password: string }
  /**
   * An admin (master) user acting as `user`. `separator` logs in as `user<sep>admin` (Dovecot's
   * `auth_master_user_separator`, imapsync's --authuser with a separator); `authzid` uses SASL PLAIN
   * with the user as authorization identity (RFC 4616 §2).
   */
  | { readonly kind: 'master'; readonly user: string; readonly adminUser: string; readonly password: string; readonly method: 'separator' | 'authzid'; readonly separator?: string }
  /** OAuth2 bearer token: XOAUTH2 (Google/Microsoft) or OAUTHBEARER (RFC 7628). */
  | { readonly kind: 'oauth2'; readonly user: string; readonly accessToken: string; readonly method?: 'XOAUTH2' | 'OAUTHBEARER' };

export interface ImapEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  /** Verify the server certificate (default true). Turning it off is an explicit per-endpoint choice. */
  readonly tlsVerify: boolean;
  /** Extra trusted CA certificate(s), PEM text, e.g. a company CA or a test server's self-signed cert. */
  readonly tlsCa?: string;
  readonly auth: ImapAuth;
  /** Most connections Cutover opens to this server at once. */
  readonly maxConnections: number;
  /** Seconds before a silent connection counts as dead. */
  readonly timeoutSeconds?: number;
  /** COMPRESS=DEFLATE (RFC 4978): `auto` (default) only on a slow link; see connectors/imap/compression.ts. */
  readonly compress?: CompressMode;
}

export type CompressMode = 'auto' | 'on' | 'off';

/** The account name the endpoint logs in as (the mailbox owner, not the admin). */
export function endpointUser(endpoint: ImapEndpoint): string {
  return endpoint.auth.user;
}

/** A log-safe one-line description: `user@host:port (tls, auth kind)`. Never contains a secret. */
export function describeEndpoint(endpoint: ImapEndpoint): string {
  const admin = endpoint.auth.kind === 'master' ? ` as admin ${endpoint.auth.adminUser}` : '';
  return `${endpoint.auth.user}@${endpoint.host}:${endpoint.port} (${endpoint.tls}, ${endpoint.auth.kind}${admin})`;
}

/** The default port for a TLS mode (RFC 8314 §7: 993 for implicit TLS, 143 otherwise). */
export function defaultImapPort(tls: TlsMode): number {
  return tls === 'implicit' ? 993 : 143;
}
