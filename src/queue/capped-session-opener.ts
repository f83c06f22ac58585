/**
 * Wraps the engine's SessionOpener so that every IMAP session of a pass holds one of the endpoint
 * slots the pass reserved (store/endpoint-slots.ts) from the moment it opens until it is closed. The
 * pass reserved `units` slots per side before it started, and runs at most `units` lanes, so a session
 * normally finds a free slot at once; one that does not (a lane re-opening before its old session was
 * closed) waits for one, up to a timeout.
 *
 * Together: the number of open sessions to an endpoint, summed over every pass of every worker, never
 * exceeds the slots of that endpoint, which is its connection cap.
 */
import type { ImapSession } from '../connectors/imap/types.ts';
import { AppError } from '../core/app-error.ts';
import type { ImapEndpoint } from '../core/endpoint.ts';
import type { SessionOpener } from '../engine/pass-types.ts';
import type { SlotReservation } from '../store/endpoint-slots.ts';

/** Which endpoint row an ImapEndpoint object of the pass belongs to. */
export interface EndpointSide {
  readonly endpoint: ImapEndpoint;
  readonly endpointId: string;
}

/** Options of `cappedSessionOpener`. */
export interface CappedOpenerOptions {
  /** Longest wait for a slot of the reservation, in ms (a leaked session otherwise blocks a lane forever). */
  readonly waitTimeoutMs?: number;
  /** Pause after a close before the slot is reused, so the server has seen the old socket go. */
  readonly lingerMs?: number;
}

class SlotPool {
  readonly #free: number[];
  readonly #waiters: Array<(slot: number) => void> = [];

  constructor(slots: readonly number[]) {
    this.#free = [...slots];
  }

  take(timeoutMs: number, endpointId: string): Promise<number> {
    const slot = this.#free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const waiter = (s: number): void => {
        clearTimeout(timer);
        resolve(s);
      };
      const timer = setTimeout(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        reject(new AppError('ENDPOINT_SLOT_TIMEOUT', `no connection slot of endpoint ${endpointId} came free within ${Math.round(timeoutMs / 1000)} s`, { details: { endpoint: endpointId } }));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  give(slot: number): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(slot);
    else this.#free.push(slot);
  }
}

/** A SessionOpener whose sessions each hold a slot of `reservation` until closed. */
export function cappedSessionOpener(base: SessionOpener, sides: readonly EndpointSide[], reservation: SlotReservation, options: CappedOpenerOptions = {}): SessionOpener {
  const waitTimeoutMs = options.waitTimeoutMs ?? 120_000;
  const lingerMs = options.lingerMs ?? 25;
  const pools = new Map<string, SlotPool>();
  for (const [endpointId, slots] of reservation.slots) pools.set(endpointId, new SlotPool(slots));

  const endpointIdOf = (endpoint: ImapEndpoint): string => {
    const side = sides.find((s) => s.endpoint === endpoint) ??
      sides.find((s) => s.endpoint.host === endpoint.host && s.endpoint.port === endpoint.port && s.endpoint.auth.user === endpoint.auth.user);
    if (!side) throw new AppError('INTERNAL', `a session was opened to ${endpoint.host}:${endpoint.port}, which the pass did not reserve slots for`);
    return side.endpointId;
  };

  return async (endpoint, name) => {
    if (reservation.signal.aborted) throw new AppError('PASS_HANDED_BACK', 'the endpoint slots of this pass were lost');
    const endpointId = endpointIdOf(endpoint);
    const pool = pools.get(endpointId);
    if (!pool) throw new AppError('INTERNAL', `no slots reserved for endpoint ${endpointId}`);
    const slot = await pool.take(waitTimeoutMs, endpointId);
    let session: ImapSession;
    try {
      session = await base(endpoint, name);
    } catch (err) {
      pool.give(slot);
      throw err;
    }
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        try {
          await session.close();
        } finally {
          await new Promise((resolve) => setTimeout(resolve, lingerMs));
          pool.give(slot);
        }
      })();
      return closing;
    };
    // A proxy rather than a spread: a session may be a class instance with methods on its prototype.
    return new Proxy(session, {
      get(target, prop, receiver) {
        if (prop === 'close') return close;
        const value: unknown = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
}
