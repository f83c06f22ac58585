/**
 * A real SMTP server on loopback inside the test process (npm smtp-server, from the nodemailer
 * project) that records every message it accepts. Options make it refuse or stall, to test retries.
 */
import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port.ts';

/** One accepted message. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The raw message (headers + body), CRLF line ends. */
  readonly raw: string;
  /** The body as text (quoted-printable and base64 decoded; single-part messages). */
  readonly text: string;
  readonly subject: string;
  readonly messageId: string;
}

/** A running sink. */
export interface SmtpSink {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly received: ReceivedMail[];
  /** The next `n` messages are refused with this SMTP reply code (e.g. 451 transient, 550 permanent). */
  refuseNext(n: number, code: number): void;
  /** Resolves once `count` messages were received (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function header(raw: string, name: string): string {
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(raw);
  return (m?.[1] ?? '').replace(/\r?\n[ \t]+/g, ' ').trim();
}

/** The body of a single-part message, decoded from its Content-Transfer-Encoding. */
function bodyText(raw: string): string {
  const split = raw.indexOf('\r\n\r\n');
  const body = split < 0 ? '' : raw.slice(split + 4);
  const encoding = header(raw.slice(0, split), 'Content-Transfer-Encoding').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** Starts the sink on a free loopback port (no TLS, no auth). */
export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let refuse: { n: number; code: number } = { n: 0, code: 451 };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse.n > 0) {
          refuse = { n: refuse.n - 1, code: refuse.code };
          const err = Object.assign(new Error(refuse.code >= 500 ? 'rejected by test' : 'try again later (test)'), { responseCode: refuse.code });
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom;
        received.push({
          from: mailFrom === false ? '' : mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: bodyText(raw),
          subject: header(raw, 'Subject'),
          messageId: header(raw, 'Message-ID'),
        });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  return {
    host: '127.0.0.1',
    port,
    received,
    refuseNext(n, code) {
      refuse = { n, code };
    },
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`smtp sink: ${received.length} of ${count} messages after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
