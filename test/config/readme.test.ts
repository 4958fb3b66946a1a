import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { VARIABLES } from '../../config/variables.js';

test('the README documents every environment variable', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const missing = VARIABLES.filter((v) => !readme.includes(`\`${v.name}\``)).map((v) => v.name);
  assert.deepEqual(missing, []);
});
