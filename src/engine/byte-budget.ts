/**
 * The message bytes one pass may hold in memory at once, shared by all its lanes. Each lane reads a
 * batch ahead while it appends the current one, so without a shared cap a pass with 8 connections
 * and 16 MiB batches could hold 256 MiB of mail. A batch takes its size from the budget before its
 * FETCH and gives it back once its APPEND is answered.
 *
 * A batch larger than the whole budget (one huge message) waits until the budget is entirely free and
 * then holds all of it, so at most one such batch is in memory. Waiters are served in order, so a
 * large batch cannot be starved by a stream of small ones.
 */
export class ByteBudget {
  readonly capacity: number;
  #free: number;
  readonly #waiters: Array<{ bytes: number; grant: () => void }> = [];

  constructor(capacity: number) {
    if (!(capacity > 0)) throw new RangeError('capacity must be positive');
    this.capacity = capacity;
    this.#free = capacity;
  }

  /** Bytes not taken now. */
  get free(): number {
    return this.#free;
  }

  /** Waits until `bytes` (capped at the capacity) can be taken; resolves to the function that gives them back (once). */
  async acquire(bytes: number): Promise<() => void> {
    const take = Math.min(Math.max(0, bytes), this.capacity);
    if (this.#waiters.length === 0 && take <= this.#free) {
      this.#free -= take;
    } else {
      await new Promise<void>((grant) => this.#waiters.push({ bytes: take, grant }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#free += take;
      this.#drain();
    };
  }

  #drain(): void {
    for (let head = this.#waiters[0]; head && head.bytes <= this.#free; head = this.#waiters[0]) {
      this.#waiters.shift();
      this.#free -= head.bytes;
      head.grant();
    }
  }
}
