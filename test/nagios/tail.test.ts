// The tail mode against real files in a temp directory, with a fake sender that appends what
// it is given to an output file (the real one posts to ingest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNagiosTailer, type TailBatch, type TailRejected } from '../../nagios/tail/tailer.js';

const T = '\t';
const perf = (timet: number, value: number): string =>
  `DATATYPE::SERVICEPERFDATA${T}TIMET::${timet}${T}HOSTNAME::web01${T}SERVICEDESC::Load${T}SERVICEPERFDATA::load1=${value}\n`;

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'meterline-nagios-tail-'));
  const paths = { perf: join(dir, 'service-perfdata'), log: join(dir, 'nagios.log'), state: join(dir, 'state.json'), out: join(dir, 'sent.ndjson') };
  let failNext = false;
  const send = async (b: TailBatch): Promise<void> => {
    if (failNext) {
      failNext = false;
      throw new Error('ingest unavailable');
    }
    const lines = [...b.samples.map((s) => `sample ${s.tsMs / 1000} ${s.metrics['nagios.Load.load1']}`), ...b.events.map((e) => `state ${e.host} ${e.state}`)];
    await appendFile(paths.out, lines.map((l) => `${l}\n`).join(''));
  };
  const rejected: TailRejected[] = [];
  const start = (maxReadBytes?: number) =>
    createNagiosTailer({ files: [paths.perf, paths.log], stateFile: paths.state, hosts: {}, send, onReject: (r) => rejected.push(r), maxReadBytes });
  /** What the fake sender received since the last call. */
  let seen = 0;
  const sent = async (): Promise<string[]> => {
    const all = (await readFile(paths.out, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
  return { dir, paths, start, sent, rejected, failOnce: () => (failNext = true) };
}

test('appended lines are sent once; a line still being written waits for its newline', async () => {
  const t = await setup();
  try {
    await writeFile(t.paths.perf, perf(100, 1) + perf(160, 2) + perf(220, 3).slice(0, 40));
    const tailer = await t.start();
    assert.deepEqual(await tailer.tick(), { samples: 2, events: 0, rejected: 0, more: false });
    assert.deepEqual(await t.sent(), ['sample 100 1', 'sample 160 2']);
    await appendFile(t.paths.perf, perf(220, 3).slice(40) + perf(280, 4));
    await appendFile(t.paths.log, '[300] HOST ALERT: web01;DOWN;HARD;3;x\n[301] SERVICE ALERT: web01;Load;CRITICAL;HARD;3;x\n');
    await tailer.tick();
    assert.deepEqual(await t.sent(), ['sample 220 3', 'sample 280 4', 'state web01 DOWN']);
    assert.deepEqual(await tailer.tick(), { samples: 0, events: 0, rejected: 0, more: false });
    assert.deepEqual(await t.sent(), []);
    await tailer.close();
  } finally {
    await rm(t.dir, { recursive: true, force: true });
  }
});

test('rotation by rename: the rest of the old file, then the new file from its start', async () => {
  const t = await setup();
  try {
    await writeFile(t.paths.perf, perf(100, 1));
    const tailer = await t.start();
    await tailer.tick();
    await appendFile(t.paths.perf, perf(160, 2) + perf(220, 3).trimEnd()); // last line unterminated at rotation
    await rename(t.paths.perf, `${t.paths.perf}.1`);
    await tailer.tick(); // the file is moved away and not recreated yet
    await writeFile(t.paths.perf, perf(280, 4));
    await tailer.tick();
    assert.deepEqual(await t.sent(), ['sample 100 1', 'sample 160 2', 'sample 220 3', 'sample 280 4']);
    await tailer.close();
  } finally {
    await rm(t.dir, { recursive: true, force: true });
  }
});

test('the position survives a restart; a failed send is retried and nothing is skipped', async () => {
  const t = await setup();
  try {
    await writeFile(t.paths.perf, perf(100, 1));
    const first = await t.start();
    await first.tick();
    await first.close();
    await appendFile(t.paths.perf, perf(160, 2));
    const second = await t.start(); // a new process: reads the state file
    t.failOnce();
    await assert.rejects(second.tick(), /ingest unavailable/);
    await appendFile(t.paths.perf, perf(220, 3));
    await second.tick(); // the kept batch first
    await second.tick(); // then what was appended meanwhile
    assert.deepEqual(await t.sent(), ['sample 100 1', 'sample 160 2', 'sample 220 3']);
    const state = JSON.parse(await readFile(t.paths.state, 'utf8')) as { files: Record<string, { offset: number }> };
    assert.equal(state.files[t.paths.perf]?.offset, (perf(100, 1) + perf(160, 2) + perf(220, 3)).length);
    await second.close();
  } finally {
    await rm(t.dir, { recursive: true, force: true });
  }
});

test('truncation in place starts again from the beginning; bad lines are reported by byte offset', async () => {
  const t = await setup();
  try {
    await writeFile(t.paths.perf, perf(100, 1) + perf(160, 2));
    const tailer = await t.start();
    await tailer.tick();
    await truncate(t.paths.perf, 0);
    await appendFile(t.paths.perf, `garbage\n${perf(220, 3)}`);
    assert.deepEqual(await tailer.tick(), { samples: 1, events: 0, rejected: 1, more: false });
    assert.deepEqual(await t.sent(), ['sample 100 1', 'sample 160 2', 'sample 220 3']);
    assert.deepEqual(t.rejected, [{ file: t.paths.perf, offset: 0, reason: 'not a perfdata-file, nagios.log or Statusengine line' }]);
    await tailer.close();
  } finally {
    await rm(t.dir, { recursive: true, force: true });
  }
});

test('a backlog is read in pieces of the byte budget, whole lines each, and a rotated file is finished first', async () => {
  const t = await setup();
  try {
    const line = perf(100, 1).length; // every perf() line here has the same length
    await writeFile(t.paths.perf, perf(100, 1) + perf(160, 2) + perf(220, 3));
    const tailer = await t.start(line + 1); // a budget of just over one line: two lines per tick
    assert.deepEqual(await tailer.tick(), { samples: 2, events: 0, rejected: 0, more: true });
    await rename(t.paths.perf, `${t.paths.perf}.1`);
    await writeFile(t.paths.perf, perf(280, 4) + perf(340, 5));
    // The old file's last line (budget left: 1 byte), then one whole line of the new file.
    assert.deepEqual(await tailer.tick(), { samples: 2, events: 0, rejected: 0, more: true });
    // The new file's last line, then its end.
    assert.deepEqual(await tailer.tick(), { samples: 1, events: 0, rejected: 0, more: false });
    assert.deepEqual(await t.sent(), ['sample 100 1', 'sample 160 2', 'sample 220 3', 'sample 280 4', 'sample 340 5']);
    await tailer.close();
  } finally {
    await rm(t.dir, { recursive: true, force: true });
  }
});
