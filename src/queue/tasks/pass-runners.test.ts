import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passSettingsFrom } from '../../projects/migration-settings.ts';
import { DEFAULT_BATCH } from '../../engine/pass-types.ts';
import { passOptions, slotRequests } from './pass-runners.ts';

test("a worker pass takes the project's settings, including batch and split sizes", () => {
  const settings = passSettingsFrom({ migration: { syncFlags: true, maxSize: 10, batchMessages: 25, splitMessages: 0 } });
  const options = passOptions('delta', 3, 'worker-a', settings);
  assert.equal(options.kind, 'delta');
  assert.equal(options.connections, 3);
  assert.equal(options.worker, 'worker-a');
  assert.equal(options.syncFlags, true);
  assert.equal(options.filters.maxSize, 10);
  assert.equal(options.batchMessages, 25);
  assert.equal(options.splitMessages, 0);
  assert.equal(options.batchBytes, DEFAULT_BATCH.batchBytes);
  assert.equal(options.memoryBytes, DEFAULT_BATCH.memoryBytes);
  assert.equal(options.dryRun, false);
});

test('slot requests: an endpoint on both sides needs two slots per unit under the lower cap', () => {
  assert.deepEqual(slotRequests([{ endpointId: 'a', maxConnections: 4 }, { endpointId: 'b', maxConnections: 2 }]), [
    { endpointId: 'a', cap: 4, perUnit: 1 }, { endpointId: 'b', cap: 2, perUnit: 1 },
  ]);
  assert.deepEqual(slotRequests([{ endpointId: 'a', maxConnections: 4 }, { endpointId: 'a', maxConnections: 3 }]), [{ endpointId: 'a', cap: 3, perUnit: 2 }]);
});
