import { Writable } from 'node:stream';
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
  /** One readable line per entry instead of JSON (for a person at a terminal). */
  readonly human?: boolean;
  /** Where JSON lines go; stderr by default so stdout stays for results. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
}

/** JSON-lines logger with credential redaction. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? (options.human ? humanDestination(process.stderr) : pino.destination({ fd: 2, sync: true }));
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

const LEVELS: Readonly<Record<number, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };
const HIDDEN = new Set(['level', 'time', 'pid', 'msg', 'hostname']);

/**
 * Turns pino's JSON lines into `warning: message (key=value …)` for a terminal. Redaction has already
 * happened inside pino, so this sees no secret.
 */
export function humanDestination(out: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          const extra = Object.entries(entry)
            .filter(([key]) => !HIDDEN.has(key))
            .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
          out.write(`${LEVELS[Number(entry['level'])] ?? 'log'}: ${typeof entry['msg'] === 'string' ? entry['msg'] : ''}${extra.length ? ` (${extra.join(' ')})` : ''}\n`);
        } catch {
          out.write(line + '\n');
        }
      }
      done();
    },
  });
}
