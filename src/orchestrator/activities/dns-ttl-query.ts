/**
 * One DNS query over UDP that returns the records' TTLs — Node's resolver gives TTLs only for A/AAAA,
 * and the TTL advice needs the MX record's (RFC 1035 §4.1: header, question, answer records).
 * Deliberately small: one question, answers parsed for TTL and type only, compressed names skipped.
 */
import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { AppError } from '../../core/app-error.ts';

/** RR types this module asks for. */
export const RR_TYPE = { A: 1, MX: 15, TXT: 16 } as const;

/** The answer of one query. */
export interface TtlAnswer {
  /** RCODE (0 NOERROR, 3 NXDOMAIN, …). */
  readonly rcode: number;
  /** TTLs of the answer records of the asked type. */
  readonly ttls: readonly number[];
}

/** `host`, `host:port`, `[v6]:port` → host and port (53 by default), as Resolver.setServers takes them. */
export function parseServer(server: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (v6) return { host: v6[1] ?? '', port: Number(v6[2] ?? 53) };
  if (isIP(server) === 6) return { host: server, port: 53 };
  const [host, port] = server.split(':');
  return { host: host ?? server, port: Number(port ?? 53) };
}

/** The query packet for `name` and `type` with recursion desired. */
export function buildQuery(id: number, name: string, type: number): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const parts: Buffer[] = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw new AppError('DNS_LOOKUP_FAILED', `DNS label too long in ${name}`, { retry: 'user', details: { name } });
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0, type >> 8, type & 0xff, 0, 1]));
  return Buffer.concat(parts);
}

function skipName(buf: Buffer, offset: number): number {
  let o = offset;
  for (;;) {
    const len = buf.readUInt8(o);
    if ((len & 0xc0) === 0xc0) return o + 2;
    if (len === 0) return o + 1;
    o += 1 + len;
  }
}

/** Parses a response: its RCODE and the TTLs of answers of `type`. Throws on a truncated packet. */
export function parseTtlResponse(buf: Buffer, id: number, type: number): TtlAnswer {
  if (buf.length < 12 || buf.readUInt16BE(0) !== id) throw new Error('not the answer to this query');
  const rcode = buf.readUInt16BE(2) & 0x0f;
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let o = 12;
  for (let i = 0; i < qd; i++) o = skipName(buf, o) + 4;
  const ttls: number[] = [];
  for (let i = 0; i < an; i++) {
    o = skipName(buf, o);
    const rrType = buf.readUInt16BE(o);
    const ttl = buf.readUInt32BE(o + 4);
    const rdLength = buf.readUInt16BE(o + 8);
    o += 10 + rdLength;
    if (rrType === type) ttls.push(ttl);
  }
  return { rcode, ttls };
}

/** Asks `server` for `name`/`type` over UDP and returns the TTLs. DNS_LOOKUP_FAILED on timeout or socket error. */
export async function queryTtl(server: string, name: string, type: number, timeoutMs = 2000): Promise<TtlAnswer> {
  const { host, port } = parseServer(server);
  const id = randomInt(0, 0x10000);
  const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
  try {
    return await new Promise<TtlAnswer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new AppError('DNS_LOOKUP_FAILED', `no DNS answer from ${server} for ${name} within ${timeoutMs} ms`, { details: { server, name } })), timeoutMs);
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(new AppError('DNS_LOOKUP_FAILED', `DNS query to ${server} failed: ${err.message}`, { cause: err, details: { server, name } }));
      });
      socket.on('message', (msg: Buffer) => {
        try {
          const answer = parseTtlResponse(msg, id, type);
          clearTimeout(timer);
          resolve(answer);
        } catch {
          // Not ours (wrong id) or garbage: keep waiting for the real answer until the timeout.
        }
      });
      socket.send(buildQuery(id, name, type), port, host);
    });
  } finally {
    socket.close();
  }
}
