import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths pino blanks before a line is written. Credentials should never reach a logger in the first
 * place; this is the second line of defence (secrets stay secret, README non-negotiable 6).
 */
export const REDACTED_PATHS: readonly string[] = [
  'password', '*.password', '*.*.password',
  'pass', '*.pass', '*.*.pass',
  'accessToken', '*.accessToken', '*.*.accessToken',
  'secret', '*.secret', 'token', '*.token',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', 'req.headers.cookie',
];

export interface LoggerOptions {
  readonly level?: string;
  /** Where JSON lines go; stderr by default so stdout stays for results. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
}

/** JSON-lines logger with credential redaction. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** A logger that drops everything (tests, `--json` runs that want a clean stderr). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
