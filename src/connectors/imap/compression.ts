/**
 * COMPRESS=DEFLATE (RFC 4978) where it pays. Mail is mostly text and compresses 2–4×, which matters
 * when the link is the limit (a migration across the internet); on a LAN or loopback the link is not
 * the limit and deflate only costs CPU on both ends (ImapFlow uses zlib level 6). So by default
 * (`auto`) a connection measures one NOOP round trip after login and compresses only when it takes
 * at least COMPRESS_MIN_RTT_MS. `on` compresses whenever the server offers it, `off` never.
 */
import type { ImapFlow } from 'imapflow';
import type { CompressMode } from '../../core/endpoint.ts';
import { mapImapError } from './map-imap-error.ts';

/** A round trip this long means a WAN link (LAN round trips are well under a millisecond). */
export const COMPRESS_MIN_RTT_MS = 10;

export interface CompressionOutcome {
  readonly compressed: boolean;
  /** The measured NOOP round trip in `auto` mode, else null. */
  readonly rttMs: number | null;
}

const outcomes = new WeakMap<ImapFlow, CompressionOutcome>();

/** Whether `client` negotiated compression (false before negotiation or when it did not). */
export function isCompressed(client: ImapFlow): boolean {
  return outcomes.get(client)?.compressed ?? false;
}

interface CompressCapable {
  compress(): Promise<void>;
}

/** Negotiates compression on a logged-in client according to `mode`. */
export async function negotiateCompression(client: ImapFlow, mode: CompressMode): Promise<CompressionOutcome> {
  if (mode === 'off' || !client.capabilities.has('COMPRESS=DEFLATE')) return { compressed: false, rttMs: null };
  let rttMs: number | null = null;
  try {
    if (mode === 'auto') {
      const started = performance.now();
      await client.noop();
      rttMs = performance.now() - started;
      if (rttMs < COMPRESS_MIN_RTT_MS) return { compressed: false, rttMs };
    }
    // ImapFlow's own negotiation (marked @internal; it is what `disableCompression: false` runs at login).
    await (client as unknown as CompressCapable).compress();
  } catch (err) {
    throw mapImapError(err, { operation: 'connect' });
  }
  const outcome = { compressed: true, rttMs };
  outcomes.set(client, outcome);
  return outcome;
}
