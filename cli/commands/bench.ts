// `meterline bench ingest|aggregate|sink|rate` (SPEC §11): each subcommand is a module in
// bench/ exporting `bench: BenchModule`; bench/report.ts prints the table and writes the JSON.
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import type { BenchModule } from '../../bench/report.js';

const BENCHES: Record<string, { summary: string; load?: () => Promise<{ bench: BenchModule }> }> = {
  ingest: { summary: 'HTTP POST batches → Kafka acknowledged; events/s, p50/p99', load: () => import('../../bench/ingest.js') },
  aggregate: { summary: 'Avro samples in Kafka → rollups; events/s per process, beside the raw read rate', load: () => import('../../bench/aggregate.js') },
  sink: { summary: 'rollup rows → TimescaleDB; rows/s beside the store step and a plain COPY', load: () => import('../../bench/sink.js') },
  rate: { summary: 'rollups → invoices in embedded mode; rollups/s', load: () => import('../../rating/bench.js') },
  'rate-role': { summary: 'the rate role through Kafka and PostgreSQL: parts/s, draft staleness p50/p99, transaction p99', load: () => import('../../bench/rate-role.js') },
  'kafka-clients': { summary: 'kafkajs vs node-rdkafka vs @platformatic/kafka on the broker; records/s, commit p99', load: () => import('../../bench/kafka-clients/run.js') },
};

const usage = () => `usage: meterline bench <${Object.keys(BENCHES).join('|')}> [options]\n${Object.entries(BENCHES).map(([k, b]) => `  ${k.padEnd(14)} ${b.summary}`).join('\n')}`;

export const command: Command = {
  summary: 'benchmarks: ingest | aggregate | sink | rate | rate-role | kafka-clients (table + JSON in bench-results/)',
  async run(argv) {
    const [name, ...rest] = argv;
    if (!name || name === '--help' || name === '-h') {
      console.log(usage());
      return name ? 0 : 2;
    }
    const entry = BENCHES[name];
    if (!entry) throw new UsageError(`unknown benchmark ${JSON.stringify(name)}\n${usage()}`);
    if (!entry.load) {
      console.error(`meterline bench ${name}: not built yet (TODO: bench/${name}.ts exporting \`bench: BenchModule\`, wired in cli/commands/bench.ts)`);
      return 2;
    }
    return (await entry.load()).bench.run(rest);
  },
};
