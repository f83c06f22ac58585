/**
 * The date-range filter for events: an event is kept when any of its occurrences (RRULE/RDATE
 * expansion and RECURRENCE-ID exceptions, RFC 5545 §3.8.5, §3.8.4.4) overlaps the window. To-dos,
 * journals and contacts are never filtered. When an event cannot be expanded the filter keeps it
 * (copying too much is recoverable, losing an event is not).
 */
import ICAL from 'ical.js';

/** The window; a null bound is open. `rule` names it in the ledger (e.g. `events from 2024-01-01`). */
export interface EventWindow {
  readonly from: Date | null;
  readonly until: Date | null;
  readonly rule: string;
}

/** Most occurrences looked at per event before giving up (and keeping it). */
const MAX_OCCURRENCES = 20_000;

function overlaps(start: Date, end: Date, w: EventWindow): boolean {
  return (w.from === null || end.getTime() >= w.from.getTime()) && (w.until === null || start.getTime() <= w.until.getTime());
}

function eventInWindow(event: ICAL.Event, w: EventWindow): boolean {
  if (!event.startDate) return true;
  if (!event.isRecurring()) {
    const start = event.startDate.toJSDate();
    const end = event.endDate ? event.endDate.toJSDate() : start;
    return overlaps(start, end, w);
  }
  const iterator = event.iterator();
  for (let i = 0; i < MAX_OCCURRENCES; i++) {
    const next = iterator.next();
    if (!next) return false;
    // ical.js's typings leave the details' type unresolved; its fields are ICAL.Time.
    const details = event.getOccurrenceDetails(next) as unknown as { startDate: ICAL.Time; endDate: ICAL.Time | null };
    const start = details.startDate.toJSDate();
    const end = details.endDate ? details.endDate.toJSDate() : start;
    if (overlaps(start, end, w)) return true;
    if (w.until !== null && start.getTime() > w.until.getTime()) return false;
  }
  return true;
}

/** Whether the calendar object is inside the window; null window: always. */
export function inEventWindow(text: string, window: EventWindow | null): boolean {
  if (!window || (window.from === null && window.until === null)) return true;
  try {
    const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
    const vevents = calendar.getAllSubcomponents('vevent');
    if (vevents.length === 0) return true;
    // Exceptions (RECURRENCE-ID) move single occurrences: an exception inside the window keeps the object.
    const masters = vevents.filter((v) => !v.hasProperty('recurrence-id'));
    const exceptions = vevents.filter((v) => v.hasProperty('recurrence-id'));
    for (const master of masters) {
      const event = new ICAL.Event(master, { exceptions });
      if (eventInWindow(event, window)) return true;
    }
    for (const exception of exceptions) {
      if (eventInWindow(new ICAL.Event(exception), window)) return true;
    }
    return false;
  } catch {
    return true;
  }
}
