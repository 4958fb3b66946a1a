// The child-process probe of `bench aggregate --role-process`: its /proc and /metrics readers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryGauges, statCpuUs } from '../../bench/role-process.js';

describe('statCpuUs', () => {
  it('adds utime and stime (fields 14, 15, in 1/100 s) even when the command name holds spaces and parentheses', () => {
    // Fields after the name: 3 state … 13 majflt, 14 utime = 250, 15 stime = 50 → 300 ticks = 3 s.
    const stat = '4242 (node (my role)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 36 0';
    assert.equal(statCpuUs(stat), 3_000_000);
  });
});

describe('memoryGauges', () => {
  it('reads heap, external and per-space gauges in MiB and ignores other metrics', () => {
    const text = [
      '# HELP meterline_process_nodejs_heap_size_total_bytes Process heap size from Node.js in bytes.',
      'meterline_process_nodejs_heap_size_total_bytes 104857600', // 100 MiB
      'meterline_process_nodejs_heap_size_used_bytes 52428800', // 50 MiB
      'meterline_process_nodejs_external_memory_bytes 3145728', // 3 MiB
      'meterline_process_nodejs_heap_space_size_used_bytes{space="old"} 41943040', // 40 MiB
      'meterline_process_resident_memory_bytes 999999999',
      'other_nodejs_heap_size_used_bytes 1',
    ].join('\n');
    assert.deepEqual(memoryGauges(text), { heap_size_total: 100, heap_size_used: 50, external_memory: 3, space_old: 40 });
  });
});
