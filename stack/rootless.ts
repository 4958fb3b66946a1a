// What a user without root needs to build the Debian root with `mmdebstrap --mode=unshare`
// (unprivileged user namespaces plus a subordinate id range), checked before anything runs so
// a missing piece is one clear line naming it and its fix instead of a failure deep in the build.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { hasCommand } from './exec.js';

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Runs a program of a Debian root without chroot: through the root's own dynamic loader and
 * libraries, since the host's glibc may be older than the root's. The loader execs the program
 * in the same process, so a recorded pid is the program's.
 */
export function viaLoader(root: string, program: string, args: string[], argv0?: string) {
  const libraryPath = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu']
    .map((d) => join(root, d))
    .join(':');
  return {
    command: join(root, 'lib64', 'ld-linux-x86-64.so.2'),
    args: ['--library-path', libraryPath, ...(argv0 ? ['--argv0', argv0] : []), join(root, program), ...args],
  };
}

export interface UnshareFacts {
  user: string;
  uid: number;
  /** kernel.unprivileged_userns_clone (Debian/Ubuntu patch); undefined where the knob is absent. */
  usernsClone?: string;
  /** user.max_user_namespaces; undefined where unreadable. */
  maxUserNamespaces?: string;
  /** kernel.apparmor_restrict_unprivileged_userns (Ubuntu 24.04+); undefined where absent. */
  apparmorRestrict?: string;
  /** Contents of /etc/subuid and /etc/subgid ('' when missing). */
  subuid: string;
  subgid: string;
  hasMmdebstrap: boolean;
  hasNewuidmap: boolean;
}

const hasRange = (table: string, user: string, uid: number): boolean =>
  table.split('\n').some((line) => {
    const [who, , count] = line.trim().split(':');
    return (who === user || who === String(uid)) && Number(count) >= 65536;
  });

/** Every missing piece, each with its fix; empty when an unshare build can be tried. */
export function unshareBlockers(f: UnshareFacts): string[] {
  const out: string[] = [];
  if (!f.hasMmdebstrap) out.push('mmdebstrap is not installed (apt-get install mmdebstrap)');
  if (!f.hasNewuidmap) out.push('newuidmap is not installed (apt-get install uidmap)');
  if (f.usernsClone?.trim() === '0')
    out.push('unprivileged user namespaces are disabled (sysctl -w kernel.unprivileged_userns_clone=1)');
  if (f.maxUserNamespaces?.trim() === '0')
    out.push('user namespaces are disabled (sysctl -w user.max_user_namespaces=15000)');
  if (f.apparmorRestrict?.trim() === '1')
    out.push(
      'AppArmor restricts unprivileged user namespaces (sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)',
    );
  const range = `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${f.user}`;
  if (!hasRange(f.subuid, f.user, f.uid) || !hasRange(f.subgid, f.user, f.uid))
    out.push(`${f.user} has no subordinate id range of 65536 in /etc/subuid and /etc/subgid (${range})`);
  return out;
}

const readOr = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

export function unshareFacts(): UnshareFacts {
  const info = os.userInfo();
  return {
    user: info.username,
    uid: info.uid,
    usernsClone: readOr('/proc/sys/kernel/unprivileged_userns_clone'),
    maxUserNamespaces: readOr('/proc/sys/user/max_user_namespaces'),
    apparmorRestrict: existsSync('/proc/sys/kernel/apparmor_restrict_unprivileged_userns')
      ? readOr('/proc/sys/kernel/apparmor_restrict_unprivileged_userns')
      : undefined,
    subuid: readOr('/etc/subuid') ?? '',
    subgid: readOr('/etc/subgid') ?? '',
    hasMmdebstrap: hasCommand('mmdebstrap'),
    hasNewuidmap: hasCommand('newuidmap'),
  };
}
