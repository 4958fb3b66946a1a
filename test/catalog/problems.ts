// The problems a rejected catalogue reports (fails the test when it is accepted).
import assert from 'node:assert/strict';
import { parseCatalog } from '../../catalog/load.js';
import { ValidationError, type Problem } from '../../lib/errors.js';

export function problems(yaml: string): Problem[] {
  try {
    parseCatalog(yaml);
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected ValidationError, got ${String(err)}`);
    return [...err.problems];
  }
  assert.fail('the catalogue was accepted');
}
