// A role's own readiness, beside its dependencies' probes: "my consumer crashed and is
// restarting", "a catalogue plan in use is missing". Each condition is set and cleared by name;
// /readyz shows the role's check failing with every current problem while any is set.
import type { Readiness } from '../observability/readiness.js';

export interface RoleHealth {
  /** Sets (a message) or clears (undefined) one named problem. */
  set(condition: string, problem: string | undefined): void;
  /** Current problems, by condition. */
  problems(): Record<string, string>;
}

export function roleHealth(role: string, readiness?: Readiness): RoleHealth {
  const problems = new Map<string, string>();
  readiness?.add(role, async () => {
    if (problems.size > 0) throw new Error([...problems].map(([c, p]) => `${c}: ${p}`).join('; '));
  });
  return {
    set(condition, problem) {
      if (problem === undefined) problems.delete(condition);
      else problems.set(condition, problem);
    },
    problems: () => Object.fromEntries(problems),
  };
}
