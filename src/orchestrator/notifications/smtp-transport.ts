/**
 * The SMTP transport for notifications (nodemailer). Settings come from the server configuration;
 * credentials are passed in, never logged.
 */
import nodemailer, { type Transporter } from 'nodemailer';

/** SMTP settings. */
export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** `implicit`: TLS from the first byte (465); `starttls`: upgrade required; `none`: plain (loopback tests). */
  readonly tls: 'implicit' | 'starttls' | 'none';
  readonly user?: string;
  readonly password?: string;
  /** Seconds before a silent server counts as gone. */
  readonly timeoutSeconds?: number;
}

/** A nodemailer transport for `settings` (one connection per message; notifications are few). */
export function createSmtpTransport(settings: SmtpSettings): Transporter {
  const timeout = (settings.timeoutSeconds ?? 30) * 1000;
  return nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.tls === 'implicit',
    requireTLS: settings.tls === 'starttls',
    ignoreTLS: settings.tls === 'none',
    ...(settings.user !== undefined ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
}
