// What a user without root is told is missing before `mmdebstrap --mode=unshare` is tried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unshareBlockers, type UnshareFacts } from '../../stack/rootless.js';

const ready: UnshareFacts = {
  user: 'ann',
  uid: 1000,
  usernsClone: '1\n',
  maxUserNamespaces: '63000\n',
  subuid: 'bob:100000:65536\nann:165536:65536\n',
  subgid: 'ann:165536:65536\n',
  hasMmdebstrap: true,
  hasNewuidmap: true,
};

test('a machine with everything in place has no blockers', () => {
  assert.deepEqual(unshareBlockers(ready), []);
  // The knob is absent on kernels without Debian's patch; a uid instead of a name counts too.
  assert.deepEqual(unshareBlockers({ ...ready, usernsClone: undefined, subuid: '1000:165536:65536\n' }), []);
});

test('each missing piece is named with its fix', () => {
  const all = unshareBlockers({
    ...ready,
    usernsClone: '0\n',
    maxUserNamespaces: '0\n',
    apparmorRestrict: '1\n',
    subuid: 'bob:100000:65536\n',
    hasMmdebstrap: false,
    hasNewuidmap: false,
  });
  assert.equal(all.length, 6);
  assert.match(all[0] ?? '', /mmdebstrap is not installed \(apt-get install mmdebstrap\)/);
  assert.match(all[1] ?? '', /newuidmap .*apt-get install uidmap/);
  assert.match(all[2] ?? '', /kernel\.unprivileged_userns_clone=1/);
  assert.match(all[3] ?? '', /user\.max_user_namespaces/);
  assert.match(all[4] ?? '', /apparmor_restrict_unprivileged_userns=0/);
  assert.match(
    all[5] ?? '',
    /^ann has no subordinate id range .*usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ann/,
  );
});

test('a range too small for a Debian root (65536 ids) or only in one table is missing', () => {
  assert.equal(unshareBlockers({ ...ready, subuid: 'ann:165536:1000\n' }).length, 1);
  assert.equal(unshareBlockers({ ...ready, subgid: '' }).length, 1);
});
