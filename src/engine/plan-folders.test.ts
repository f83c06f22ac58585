import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planFolder, type PlanFolderInput } from './plan-folders.ts';
import type { FolderState } from '../core/ledger.ts';

const state: FolderState = {
  pairId: '1', sourceFolder: 'INBOX', targetFolder: 'INBOX', uidValidity: 100n, uidNext: 50,
  highestModseq: 900n, messages: 49, filterHash: 'h', lastSyncedAt: new Date(0),
};
const base: PlanFolderInput = {
  status: { path: 'INBOX', messages: 49, uidNext: 50, uidValidity: 100n, highestModseq: 900n },
  state, pending: 0, settingsHash: 'h', timeDependentFilter: false, syncFlags: false, force: false,
};

const cases: Array<[string, Partial<PlanFolderInput>, string]> = [
  ['unchanged folder is skipped', {}, 'skip:unchanged'],
  ['forced (full pass)', { force: true }, 'sync:forced'],
  ['never seen', { state: undefined }, 'sync:new-folder'],
  ['UIDVALIDITY changed', { status: { ...base.status, uidValidity: 101n } }, 'sync:uidvalidity-changed'],
  ['failed items waiting', { pending: 2 }, 'sync:pending-items'],
  ['filters changed', { settingsHash: 'other' }, 'sync:settings-changed'],
  ['new message', { status: { ...base.status, uidNext: 51, messages: 50 } }, 'sync:new-messages'],
  ['expunge only', { status: { ...base.status, messages: 40 } }, 'skip:unchanged'],
  ['age filter', { timeDependentFilter: true }, 'sync:time-dependent-filter'],
  ['flag change with CONDSTORE, not syncing flags', { status: { ...base.status, highestModseq: 901n } }, 'skip:unchanged'],
  ['flag change with CONDSTORE, syncing flags', { syncFlags: true, status: { ...base.status, highestModseq: 901n } }, 'sync:modseq-changed'],
  ['syncing flags, same MODSEQ', { syncFlags: true }, 'skip:unchanged'],
  ['syncing flags without CONDSTORE', { syncFlags: true, status: { ...base.status, highestModseq: null } }, 'sync:flags-without-condstore'],
  ['syncing flags without CONDSTORE, empty folder', { syncFlags: true, status: { ...base.status, highestModseq: null, messages: 0 } }, 'skip:unchanged'],
];

for (const [name, change, expected] of cases) {
  test(name, () => {
    const decision = planFolder({ ...base, ...change });
    assert.equal(`${decision.action}:${decision.reason}`, expected);
  });
}
