// `meterline ingest`: the ingest role alone, serving POST /v1/samples on PORT with /healthz,
// /readyz (Kafka, database), /metrics and /openapi.json.
import type { Command } from '../command.js';
import { parseFlags } from '../args.js';
import { runHttpRole } from '../role-command.js';
import { ingestRole } from '../../pipeline/ingest/role.js';

export const command: Command = {
  summary: 'ingest role: POST /v1/samples → Kafka metrics.raw (202 after acks=all), rejects → metrics.dlq',
  async run(argv) {
    parseFlags(argv, {});
    return runHttpRole(ingestRole());
  },
};
