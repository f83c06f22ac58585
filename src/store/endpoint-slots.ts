/**
 * A per-endpoint cap on concurrent IMAP connections that holds across every worker process and
 * machine (DESIGN.md "Exclusivity and limits across workers"). An endpoint with cap N has N slots,
 * 0..N-1; a slot is a PostgreSQL session-level advisory lock `(ENDPOINT_SLOT_CLASS, id·1024 + slot)`.
 *
 * One process holds all its slots on one dedicated connection of the pool. When the process dies, the
 * connection drops and PostgreSQL frees its slots at once; when the connection fails while we live,
 * `signal` aborts, because other workers may now take those slots and our sessions must stop.
 *
 * Session-level advisory locks are re-entrant within one session, so the process keeps its own set of
 * held slots and never tries one it already holds (that would "succeed" and double-count).
 *
 * Passes reserve all the slots they will use before they open any connection (`reserveSlots`): a pass
 * never holds slots while waiting for more, so two passes can never wait on each other (deadlock).
 */
import type pg from 'pg';
import { AppError } from '../core/app-error.ts';
import type { StoreLogger } from './db.ts';

/** First key of endpoint slot locks (see advisory-locks.ts for the other classes). */
export const ENDPOINT_SLOT_CLASS = 0x43757402;

/** First key of the "a pass waits for slots of this endpoint" marker (shared locks; the second key is the endpoint id). */
export const ENDPOINT_WAIT_CLASS = 0x43757403;

/** The advisory key pair of an endpoint's waiting marker. */
export function endpointWaitKey(endpointId: string): [number, number] {
  const id = BigInt(endpointId);
  if (id < 0n || id > 0x7fffffffn) throw new RangeError(`endpoint id ${endpointId} does not fit a lock key`);
  return [ENDPOINT_WAIT_CLASS, Number(id)];
}

/** Highest number of slots one endpoint may have (the key packs the slot in 10 bits). */
export const MAX_SLOTS = 1024;

/** The advisory key pair of one slot of one endpoint. */
export function endpointSlotKey(endpointId: string, slot: number): [number, number] {
  const id = BigInt(endpointId);
  if (id < 0n || id >= 2n ** 21n) throw new RangeError(`endpoint id ${endpointId} does not fit a slot lock key`);
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_SLOTS) throw new RangeError(`slot ${slot} out of range`);
  return [ENDPOINT_SLOT_CLASS, Number(id) * MAX_SLOTS + slot];
}

/** One endpoint's part of a reservation request. */
export interface SlotRequest {
  readonly endpointId: string;
  /** The endpoint's cap (endpoints.max_connections). */
  readonly cap: number;
  /** Slots wanted per unit: 2 when source and target are the same endpoint. */
  readonly perUnit: number;
}

/** Slots held for one pass: `units` lanes' worth on each endpoint. */
export interface SlotReservation {
  /** How many units (lanes) were granted, ≥ 1. */
  readonly units: number;
  /** Endpoint id → slot numbers held. */
  readonly slots: ReadonlyMap<string, readonly number[]>;
  /** Aborts when the slots were lost (their connection failed). */
  readonly signal: AbortSignal;
  /** Frees every slot; safe to call twice. */
  release(): Promise<void>;
}

/** Options of `EndpointSlots.reserve`. */
export interface ReserveOptions {
  /** Units wanted; fewer are accepted (at least one). */
  readonly units: number;
  readonly signal?: AbortSignal;
  /** Mean pause between two tries while waiting, in ms (jittered ±50 %; default 250). */
  readonly pollMs?: number;
  /** Called once when the first try found no slot (for logs and pair state). */
  readonly onWait?: () => void;
}

/** The slots this process holds, on one dedicated connection. Create one per process. */
export class EndpointSlots {
  readonly #pool: pg.Pool;
  readonly #logger: StoreLogger | undefined;
  #client: pg.PoolClient | null = null;
  #connecting: Promise<pg.PoolClient> | null = null;
  #lost = new AbortController();
  /** endpoint id → slots held by this process. */
  readonly #held = new Map<string, Set<number>>();
  #closed = false;
  /** endpoint id → passes of this process waiting for its slots. */
  readonly #localWaiters = new Map<string, number>();
  /** Serialises take/give: two concurrent tries of one slot on one session would both "succeed". */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(pool: pg.Pool, logger?: StoreLogger) {
    this.#pool = pool;
    this.#logger = logger;
  }

  /** Slots this process holds now, per endpoint (tests, metrics). */
  heldCount(endpointId: string): number {
    return this.#held.get(endpointId)?.size ?? 0;
  }

  async #connection(): Promise<pg.PoolClient> {
    if (this.#closed) throw new AppError('INTERNAL', 'endpoint slots are closed');
    if (this.#client) return this.#client;
    this.#connecting ??= (async () => {
      const client = await this.#pool.connect();
      const lost = new AbortController();
      this.#lost = lost;
      client.on('error', (err: Error) => {
        // Every slot of this process is gone with the connection.
        this.#logger?.warn({ err: err.message }, 'endpoint slot connection lost; passes holding slots stop');
        this.#held.clear();
        if (this.#client === client) this.#client = null;
        client.release(err);
        lost.abort(new AppError('PASS_HANDED_BACK', 'the database connection holding the endpoint slots was lost'));
      });
      this.#client = client;
      return client;
    })().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Tries to take up to `count` free slots of one endpoint; returns those taken (maybe none). */
  tryTake(endpointId: string, cap: number, count: number): Promise<number[]> {
    return this.#serial(() => this.#tryTake(endpointId, cap, count));
  }

  async #tryTake(endpointId: string, cap: number, count: number): Promise<number[]> {
    const client = await this.#connection();
    const held = this.#held.get(endpointId) ?? new Set<number>();
    this.#held.set(endpointId, held);
    const candidates: number[] = [];
    for (let slot = 0; slot < Math.min(cap, MAX_SLOTS); slot++) if (!held.has(slot)) candidates.push(slot);
    // Random order: workers starting together then rarely race for the same slot.
    for (let i = candidates.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [candidates[i], candidates[j]] = [candidates[j] as number, candidates[i] as number];
    }
    const taken: number[] = [];
    for (const slot of candidates) {
      if (taken.length >= count) break;
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', endpointSlotKey(endpointId, slot));
      if (rows[0]?.ok === true) {
        held.add(slot);
        taken.push(slot);
      }
    }
    return taken;
  }

  /** Frees slots of one endpoint held by this process. */
  give(endpointId: string, slots: readonly number[]): Promise<void> {
    return this.#serial(() => this.#give(endpointId, slots));
  }

  async #give(endpointId: string, slots: readonly number[]): Promise<void> {
    const held = this.#held.get(endpointId);
    const mine = slots.filter((s) => held?.has(s));
    for (const s of mine) held?.delete(s);
    const client = this.#client;
    if (!client || mine.length === 0) return;
    for (const slot of mine) {
      try {
        await client.query('SELECT pg_advisory_unlock($1, $2)', endpointSlotKey(endpointId, slot));
      } catch (err) {
        this.#logger?.warn({ err: (err as Error).message }, 'could not unlock an endpoint slot (the connection error frees it)');
      }
    }
  }

  /** Marks this process as waiting for slots of an endpoint (a shared lock others can see in pg_locks). */
  #markWaiting(endpointIds: readonly string[], on: boolean): Promise<void> {
    return this.#serial(async () => {
      const client = await this.#connection();
      for (const id of endpointIds) {
        const key = endpointWaitKey(id);
        const local = (this.#localWaiters.get(id) ?? 0) + (on ? 1 : -1);
        this.#localWaiters.set(id, Math.max(0, local));
        await client.query(on ? 'SELECT pg_advisory_lock_shared($1, $2)' : 'SELECT pg_advisory_unlock_shared($1, $2)', key);
      }
    });
  }

  /** True when another pass (here or in another process) already waits for slots of one of these endpoints. */
  #othersWaiting(endpointIds: readonly string[]): Promise<boolean> {
    return this.#serial(async () => {
      if (endpointIds.some((id) => (this.#localWaiters.get(id) ?? 0) > 0)) return true;
      const client = await this.#connection();
      const { rows } = await client.query<{ waiting: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN unnest($2::int[]) AS k(objid) ON l.objid = k.objid::oid
                         WHERE l.locktype = 'advisory' AND l.classid = $1::oid AND l.objsubid = 2 AND l.pid <> pg_backend_pid()) AS waiting`,
        [ENDPOINT_WAIT_CLASS, endpointIds.map((id) => endpointWaitKey(id)[1])],
      );
      return rows[0]?.waiting === true;
    });
  }

  /**
   * Takes, for every request, `units × perUnit` slots at once — all or nothing per try, so a pass never
   * holds slots while it waits. Grants fewer units when fewer are free (at least one); waits with
   * jittered back-off while not even one unit is free. Fair across workers: a newcomer does not take a
   * slot that passes already waiting for this endpoint are after (it joins them instead), so a worker
   * that just freed a slot cannot take it again ahead of the others. Throws PASS_INTERRUPTED when
   * `signal` aborts.
   */
  async reserve(requests: readonly SlotRequest[], options: ReserveOptions): Promise<SlotReservation> {
    // A constant pause, not a growing back-off: a growing one favours the newest waiter (it retries
    // soonest), which lets one busy worker take every freed slot while the others starve.
    const pollMs = options.pollMs ?? 250;
    const sorted = [...requests].sort((a, b) => Number(BigInt(a.endpointId) - BigInt(b.endpointId)));
    const endpointIds = sorted.map((r) => r.endpointId);
    const impossible = sorted.find((r) => Math.min(r.cap, MAX_SLOTS) < r.perUnit);
    if (impossible) {
      throw new AppError('ENDPOINT_INVALID', `endpoint ${impossible.endpointId} allows ${impossible.cap} connection(s); a pass on it needs ${impossible.perUnit}`, { details: { endpointId: impossible.endpointId } });
    }
    let waiting = false;
    try {
      for (let attempt = 0; ; attempt++) {
        if (options.signal?.aborted) throw new AppError('PASS_INTERRUPTED', 'stopped while waiting for a connection slot');
        const yieldToWaiters = !waiting && (await this.#othersWaiting(endpointIds));
        if (!yieldToWaiters) {
          const granted = await this.#tryReserve(sorted, options.units);
          if (granted) return granted;
        }
        if (!waiting) {
          waiting = true;
          await this.#markWaiting(endpointIds, true);
          options.onWait?.();
        }
        // A newcomer that yielded first sits out longer than any waiter's longest pause (1.5 × pollMs),
        // so every pass already waiting tries at least once before the newcomer's first try.
        const pause = yieldToWaiters ? pollMs * 2 + Math.random() * pollMs : pollMs / 2 + Math.random() * pollMs;
        await sleep(pause, options.signal);
      }
    } finally {
      if (waiting) await this.#markWaiting(endpointIds, false).catch(() => undefined);
    }
  }

  async #tryReserve(sorted: readonly SlotRequest[], wanted: number): Promise<SlotReservation | null> {
    const got = new Map<string, number[]>();
    let units = Math.max(1, wanted);
    for (const request of sorted) {
      const want = Math.min(units, Math.floor(request.cap / request.perUnit)) * request.perUnit;
      const taken = want > 0 ? await this.tryTake(request.endpointId, request.cap, want) : [];
      got.set(request.endpointId, taken);
      units = Math.min(units, Math.floor(taken.length / request.perUnit));
      if (units === 0) break;
    }
    if (units < 1) {
      for (const [endpointId, taken] of got) await this.give(endpointId, taken);
      return null;
    }
    // Give back what exceeds the smallest grant.
    for (const request of sorted) {
      const taken = got.get(request.endpointId) ?? [];
      const keep = units * request.perUnit;
      if (taken.length > keep) await this.give(request.endpointId, taken.splice(keep));
    }
    return this.#reservation(units, got);
  }

  #reservation(units: number, slots: Map<string, number[]>): SlotReservation {
    let released: Promise<void> | undefined;
    return {
      units,
      slots,
      signal: this.#lost.signal,
      release: () => {
        released ??= (async () => {
          for (const [endpointId, taken] of slots) await this.give(endpointId, taken);
        })();
        return released;
      },
    };
  }

  /** Frees every slot and returns the connection to the pool. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    this.#client = null;
    this.#held.clear();
    if (!client) return;
    try {
      await client.query('SELECT pg_advisory_unlock_all()');
      client.release();
    } catch (err) {
      client.release(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
