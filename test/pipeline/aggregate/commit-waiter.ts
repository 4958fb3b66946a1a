// Awaiting an aggregate role's commits in tests: `onCommit` for the role's options counts the
// parts committed and tracks partition 0's committed input offset; `committed(n)` resolves once
// that offset reached n (an event, not a sleep).
import type { CommitInfo } from '../../../pipeline/aggregate/owner.js';

export interface CommitWaiter {
  onCommit(info: CommitInfo): void;
  committed(offset: number): Promise<void>;
  /** Parts committed so far (all partitions). */
  readonly parts: number;
}

export function commitWaiter(): CommitWaiter {
  let parts = 0;
  let high = 0;
  let waiter: { offset: number; resolve: () => void } | undefined;
  return {
    onCommit(info) {
      parts += info.parts;
      if (info.partition === 0) high = Math.max(high, Number(info.nextOffset));
      if (waiter && high >= waiter.offset) waiter.resolve();
    },
    committed: (offset) => new Promise<void>((resolve) => (high >= offset ? resolve() : (waiter = { offset, resolve }))),
    get parts() {
      return parts;
    },
  };
}
