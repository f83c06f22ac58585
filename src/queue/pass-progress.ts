/**
 * Turns the engine's progress events into `passes.progress` rows, written at most once per interval
 * (a pass of 10,000 messages emits an event per batch; the portal polls once a second anyway).
 * Items planned start from the STATUS estimate and grow as folders are planned, so the bar never
 * claims more than it knows.
 */
import type { ProgressEvent } from '../engine/pass-types.ts';
import type { PassProgressRecord } from '../store/pass.repository.ts';

/** Accumulates progress events; pure. */
export class PassProgressTracker {
  #passId: string | null = null;
  #estimate = 0;
  #planned = 0;
  #bytesPlanned = 0;
  #done = 0;
  #bytesDone = 0;
  #dirty = false;

  /** Feeds one event. */
  update(event: ProgressEvent): void {
    switch (event.type) {
      case 'pass-started':
        this.#passId = event.passId;
        break;
      case 'plan':
        this.#estimate = event.estimatedItems;
        break;
      case 'folder-planned':
        this.#planned += event.toCopy;
        this.#bytesPlanned += event.bytes;
        break;
      case 'copied':
        this.#done += event.count;
        this.#bytesDone += event.bytes;
        break;
      case 'folder-done':
        return;
    }
    this.#dirty = true;
  }

  /** The pass this progress belongs to, once it started. */
  get passId(): string | null {
    return this.#passId;
  }

  /** The record to store, or null when nothing changed since the last call. */
  take(): PassProgressRecord | null {
    if (!this.#dirty || this.#passId === null) return null;
    this.#dirty = false;
    const itemsPlanned = Math.max(this.#estimate, this.#planned, this.#done);
    // Bytes are only known for planned folders; scale them up while the estimate is larger.
    const bytesPlanned = this.#planned > 0 && itemsPlanned > this.#planned
      ? Math.round((this.#bytesPlanned / this.#planned) * itemsPlanned)
      : Math.max(this.#bytesPlanned, this.#bytesDone);
    return { itemsPlanned, itemsDone: this.#done, bytesPlanned, bytesDone: this.#bytesDone };
  }
}
