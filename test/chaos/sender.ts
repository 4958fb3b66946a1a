// The traffic, as an agent fleet sends it: batches POSTed to ingest's /v1/samples one at a
// time (so arrival order is send order), each retried until ingest accepts it — a batch whose
// request died with a killed ingest may be partly in Kafka already, and its re-send brings
// those samples again as duplicates, which the pipeline must count once.
import { sampleToJson } from '../../pipeline/samples/parse.js';
import type { Sample } from '../../pipeline/samples/sample.js';

export interface SenderOptions {
  url: string;
  key: string;
  batch: number;
  /** Awaited before batch `i` is sent: paces the traffic across the chaos schedule. */
  gate?: (i: number) => Promise<void>;
  /** A pause before each batch (an agent fleet's pace), so kills fall while requests flow. */
  pauseMs?: () => number;
  /** Give up (and fail) when one batch is refused for this long. */
  batchTimeoutMs: number;
}

export class Sender {
  /** When each batch was accepted: the redis crash re-sends what went out in its lost second. */
  readonly accepted: { atMs: number; samples: readonly Sample[] }[] = [];
  retries = 0;

  constructor(private readonly o: SenderOptions) {}

  async post(samples: readonly Sample[]): Promise<void> {
    const body = JSON.stringify(samples.map(sampleToJson));
    const deadline = Date.now() + this.o.batchTimeoutMs;
    for (;;) {
      let why: string;
      try {
        const r = await fetch(`${this.o.url}/v1/samples`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.o.key}` },
        });
        const text = await r.text();
        if (r.status === 202) {
          this.accepted.push({ atMs: Date.now(), samples });
          return;
        }
        // Only "not now" is retried; any other refusal of good samples is a finding.
        if (r.status !== 503 && r.status !== 429) throw new Error(`ingest answered ${r.status}: ${text.slice(0, 500)}`);
        why = `${r.status}`;
      } catch (err) {
        if ((err as Error).message.startsWith('ingest answered')) throw err;
        why = (err as Error).message; // connection refused or reset: ingest is down or was killed
      }
      this.retries++;
      if (Date.now() > deadline) throw new Error(`ingest did not accept a batch within ${this.o.batchTimeoutMs} ms (last: ${why})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async sendAll(samples: readonly Sample[]): Promise<void> {
    for (let i = 0, b = 0; i < samples.length; i += this.o.batch, b++) {
      await this.o.gate?.(b);
      const pause = this.o.pauseMs?.() ?? 0;
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
      await this.post(samples.slice(i, i + this.o.batch));
    }
  }

  /** Samples of the batches accepted in [fromMs, toMs]. */
  acceptedBetween(fromMs: number, toMs: number): Sample[] {
    return this.accepted.filter((a) => a.atMs >= fromMs && a.atMs <= toMs).flatMap((a) => a.samples);
  }
}
