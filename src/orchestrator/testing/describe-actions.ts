/** Compact one-line descriptions of actions, so reconciler tests read as tables. */
import type { Action } from '../actions.ts';

/** `changeStatus:a>b`, `startStep:name#2`, `enqueuePass:resync[1,2]`, `raiseAlert:kind`, … */
export function describeAction(a: Action): string {
  switch (a.type) {
    case 'place':
      return 'place';
    case 'changeStatus':
      return `changeStatus:${a.from}>${a.to}`;
    case 'hold':
      return `hold:${a.from}`;
    case 'resume':
      return `resume:${a.to}`;
    case 'moveCutover':
      return `moveCutover:${a.to.toISOString()}`;
    case 'startStep':
      return `startStep:${a.step}#${a.attempt}`;
    case 'markStep':
      return `markStep:${a.step}=${a.status}`;
    case 'retryStep':
      return `retryStep:${a.step}`;
    case 'startRound':
      return `startRound:${a.key.split('@')[0] ?? a.key}`;
    case 'enqueuePass':
      return `enqueuePass:${a.kind}[${a.pairIds.join(',')}]`;
    case 'raiseAlert':
      return `raiseAlert:${a.kind}`;
    case 'resolveAlert':
      return `resolveAlert:${a.key.split('@')[0] ?? a.key}`;
    case 'sendNotification':
      return `notify:${a.notification}/${a.audience}`;
    case 'recordEvent':
      return `event:${a.key}`;
  }
}

/** Every action described, in order. */
export function describeActions(actions: readonly Action[]): string[] {
  return actions.map(describeAction);
}
