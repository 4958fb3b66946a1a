// `meterline nagios convert` on the example perfdata file: the NDJSON below was worked out by
// hand from examples/nagios/perfdata.txt (one comment per line of that file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const id = (host: string, service: string, timet: number): string =>
  `nagios:${createHash('sha256').update(`${host}\u0000${service}\u0000${timet}`).digest('hex')}`;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/meterline.js', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const PING = {
  // line 2 (and line 10, the same line again: same id): rta 0.046 ms = 0.000046 s
  id: id('web01.example.net', 'PING', 1790812800), server_id: 'srv-0001', ts: '2026-10-01T00:00:00.000Z',
  metrics: { 'nagios.PING.rta': 0.000046, 'nagios.PING.pl': 0 },
};
const EXPECTED = [
  {
    // line 1: hosts.yaml maps web01.example.net → srv-0001; 12 GB = 12 × 1024³ = 12884901888
    id: id('web01.example.net', 'Disk C', 1790812800), server_id: 'srv-0001', ts: '2026-10-01T00:00:00.000Z',
    metrics: { 'nagios.Disk C.C:\\ Label: OS  Serial Number 1234': 12884901888, 'nagios.Disk C.C:\\ used %': 24 },
  },
  PING,
  {
    // line 3: SERVICEDESC after a space; in = 1234567890 (counter, unscaled); out 2,5 GB = 2.5 × 1073741824 = 2684354560
    id: id('web01.example.net', 'Traffic eth0', 1790813100), server_id: 'srv-0001', ts: '2026-10-01T00:05:00.000Z',
    metrics: { 'nagios.Traffic eth0.in': 1234567890, 'nagios.Traffic eth0.out': 2684354560 },
  },
  {
    // line 4: host perfdata of the unmapped db01; 1,5 ms = 0.0015 s
    id: id('db01', '', 1790813100), server_id: 'db01', ts: '2026-10-01T00:05:00.000Z',
    metrics: { 'nagios.host.rta': 0.0015, 'nagios.host.pl': 0 },
  },
  {
    // line 5: default service template; load15=U yields nothing
    id: id('db01', 'Load', 1790813160), server_id: 'db01', ts: '2026-10-01T00:06:00.000Z',
    metrics: { 'nagios.Load.load1': 0.15, 'nagios.Load.load5': 0.08 },
  },
  {
    // line 6: default host template; 250 us = 0.00025 s; unquoted "disk usage" 1.5 KB = 1536
    id: id('db01', '', 1790813160), server_id: 'db01', ts: '2026-10-01T00:06:00.000Z',
    metrics: { 'nagios.host.rta': 0.00025, 'nagios.host.disk usage': 1536 },
  },
  // line 7: empty perfdata → no sample; lines 8 and 9 rejected
  PING,
];

test('convert prints one NDJSON sample per line, rejects bad lines by number, and exits 1', async () => {
  const r = await run(['nagios', 'convert', '--perfdata', 'examples/nagios/perfdata.txt', '--catalog', 'examples/nagios/hosts.yaml']);
  const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
  assert.deepEqual(got, EXPECTED);
  assert.match(r.stderr, /perfdata\.txt:8: 'cpu': unknown unit of measure "C"/);
  assert.match(r.stderr, /perfdata\.txt:9: TIMET "soon" is not epoch seconds/);
  assert.match(r.stderr, /10 lines, 7 samples, 2 rejected/);
  assert.equal(r.code, 1);
});

test('convert without --perfdata is a usage error; a missing file is named', async () => {
  const usage = await run(['nagios', 'convert']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--perfdata FILE is required/);
  const missing = await run(['nagios', 'convert', '--perfdata', 'examples/nagios/no-such-file.txt']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read examples\/nagios\/no-such-file\.txt/);
});
