/**
 * The naive baseline: naive-append-client.ts in its own Node process (so its wall time, CPU and
 * memory are measured like any tool's). It keeps no state, so only full passes make sense.
 */
import { join, resolve } from 'node:path';
import { measure } from '../measure.ts';
import { failIfNonZero, ToolFailed } from './types.ts';
import type { PairSetup, Tool, ToolPair, ToolPass } from './types.ts';

const CLIENT = resolve(import.meta.dirname, 'naive-append-client.ts');

export function naiveAppendTool(): Tool {
  return {
    name: 'naive-append',
    gate: {},
    incremental: false,
    targetAccess: 'imap',
    version() {
      return Promise.resolve(`naive append (ImapFlow, synchronizing literals, Node ${process.version})`);
    },
    pair(setup: PairSetup): ToolPair {
      return {
        async pass(kind, watch): Promise<ToolPass> {
          if (kind !== 'full') throw new ToolFailed('naive-append keeps no state: it has no delta pass');
          const m = await measure(process.execPath, [CLIENT, JSON.stringify({ source: setup.source, target: setup.target })], { timeFile: join(setup.workDir, 'naive-append.time'), watch });
          failIfNonZero('naive-append', kind, m);
          return m;
        },
      };
    },
  };
}
