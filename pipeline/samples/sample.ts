// The usage sample (SPEC §2) as the pipeline carries it. Metric values are kept as exact
// decimal strings from the moment they are parsed: a JSON number's shortest round-trip text
// ("12.5", "1234567890") is the value the agent meant, and no binary float is summed later.
export interface Sample {
  /** Idempotency key: a re-sent sample counts once. */
  id: string;
  serverId: string;
  /** Event time, epoch milliseconds (millisecond precision, SPEC §2). */
  tsMs: number;
  /** Seconds this sample stands for; undefined = the meter's interval_s. Decimal string. */
  intervalS?: string;
  /** metric name → decimal string. */
  metrics: Record<string, string>;
  labels: Record<string, string>;
}

export const MAX_ID_LENGTH = 256;
export const MAX_SERVER_ID_LENGTH = 256;
export const MAX_METRICS = 256;
