// `meterline stack up | down | status`: the local Kafka, TimescaleDB, Redis and Schema Registry
// on loopback. Progress goes to stderr and the env lines to stdout, so
// `eval "$(meterline stack up)"` works.
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseFlags } from '../args.js';
import { stackSettings, type StackSettings } from '../../stack/paths.js';
import { MeterlineError } from '../../lib/errors.js';
import { down, expectedServices, mainPort, status, up, type Output } from '../../stack/stack.js';

const USAGE = "usage: meterline stack up|down|status [--quiet]  (down --purge also deletes the stack's data)";

export const command: Command = {
  summary: 'local Kafka (KRaft), TimescaleDB, Redis and Schema Registry on loopback: up|down|status',
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        quiet: { type: 'boolean', short: 'q' },
        purge: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [action, ...extra] = positionals;
    if (!action || extra.length > 0) throw new UsageError(USAGE);
    if (values.purge && action !== 'down') throw new UsageError(`--purge goes with down; ${USAGE}`);
    const quiet = values.quiet === true;
    const out: Output = {
      progress: (line) => (quiet ? undefined : console.error(line)),
      result: (line) => (quiet ? undefined : console.log(line)),
    };
    const s = stackSettings();
    try {
      return await act(action, s, out, values.purge === true);
    } catch (err) {
      // A service that cannot start is an expected outcome here: one clear message, no stack trace.
      if (err instanceof MeterlineError && err.kind === 'unavailable') {
        console.error(`meterline stack ${action}: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
};

async function act(action: string, s: StackSettings, out: Output, purge: boolean): Promise<number> {
  switch (action) {
    case 'up':
      await up(s, out);
      return 0;
    case 'down':
      await down(s, out, undefined, { purge });
      return 0;
    case 'status': {
      const expected = new Set(expectedServices(s).map((x) => x.name));
      let ok = true;
      for (const st of await status(s)) {
        const port = mainPort(s, st.service);
        const running = st.pid !== undefined && st.answering;
        if (expected.has(st.service.name) && !running) ok = false;
        if (!expected.has(st.service.name) && st.pid === undefined) continue;
        const state = running ? 'running' : st.pid !== undefined ? 'starting (not answering yet)' : 'stopped';
        out.result(
          `${st.service.name.padEnd(16)} ${state.padEnd(10)} ${st.pid !== undefined ? `pid ${st.pid}`.padEnd(11) : ''.padEnd(11)} 127.0.0.1:${port}`,
        );
      }
      out.result(`data: ${s.paths.stackDir}  cache: ${s.paths.cacheDir}`);
      return ok ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown action ${JSON.stringify(action)}; ${USAGE}`);
  }
}
