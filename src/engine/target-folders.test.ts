import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FolderData, ImapSession } from '../connectors/imap/types.ts';
import { AppError } from '../core/app-error.ts';
import { startTargetFolders, subscribeTargetFolders } from './target-folders.ts';

/** Only what target-folders.ts calls; the rest of ImapSession is never touched here. */
function fakeTarget(behaviour: (path: string) => void | Promise<void>): { session: ImapSession; calls: string[] } {
  const calls: string[] = [];
  const session = {
    createFolder: async (path: string) => { calls.push(`CREATE ${path}`); await behaviour(path); },
    subscribe: (path: string) => { calls.push(`SUBSCRIBE ${path}`); return Promise.resolve(); },
  } as unknown as ImapSession;
  return { session, calls };
}
const folder = (path: string, subscribed: boolean): FolderData => ({ path, subscribed, selectable: true } as unknown as FolderData);

test('parents before children, otherwise in the order the lanes need them; existing folders and INBOX are ready at once', async () => {
  const { session, calls } = fakeTarget(() => undefined);
  const created = startTargetFolders(() => Promise.resolve(session), [folder('Old', true)], ['Big/Child', 'Zeta', 'Old', 'INBOX', 'Big'], '/', false);
  assert.equal(await created.ready('Old'), null);
  assert.equal(await created.ready('INBOX'), null);
  assert.equal(await created.ready('Big/Child'), null);
  assert.equal((await created.done).size, 0);
  assert.deepEqual(calls, ['CREATE Zeta', 'CREATE Big', 'CREATE Big/Child']);
  assert.ok(created.preexisting.has('Old') && !created.preexisting.has('Zeta'));
});

test('a refused folder resolves its ready() with the error; the others go on', async () => {
  const { session } = fakeTarget((path) => {
    if (path === 'Bad') throw new AppError('FOLDER_CREATE_FAILED', 'no');
  });
  const created = startTargetFolders(() => Promise.resolve(session), [], ['Bad', 'Good'], '/', false);
  assert.equal((await created.ready('Bad'))?.code, 'FOLDER_CREATE_FAILED');
  assert.equal(await created.ready('Good'), null);
  assert.deepEqual([...(await created.done).keys()], ['Bad']);
});

test('a dropped connection is retried on the session the lane has by then', async () => {
  let first = true;
  const { session, calls } = fakeTarget(() => {
    if (first) {
      first = false;
      throw new AppError('IMAP_CONNECTION_LOST', 'gone');
    }
  });
  const created = startTargetFolders(() => Promise.resolve(session), [], ['A'], '/', false);
  assert.equal(await created.ready('A'), null);
  assert.deepEqual(calls, ['CREATE A', 'CREATE A']);
});

test('subscribes only what is not subscribed yet and was not refused', async () => {
  const { session, calls } = fakeTarget(() => undefined);
  const warnings = await subscribeTargetFolders(session, [folder('Done', true), folder('Unsub', false)], ['Done', 'Unsub', 'New', 'Refused'], new Map([['Refused', new AppError('FOLDER_CREATE_FAILED', 'no')]]));
  assert.deepEqual(warnings, []);
  assert.deepEqual(calls, ['SUBSCRIBE Unsub', 'SUBSCRIBE New']);
});
