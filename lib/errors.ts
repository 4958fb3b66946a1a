// One small error tree: every error carries a machine-readable kind and keeps its cause,
// so callers branch on `kind` and logs keep the whole chain.
export type ErrorKind =
  | 'config' // bad or missing configuration: the process exits non-zero with one line
  | 'validation' // bad input from a caller: 4xx, DLQ
  | 'conflict' // e.g. overlapping subscriptions, finalized invoice
  | 'not_found'
  | 'unavailable' // a dependency (Kafka, database) cannot be reached: retriable
  | 'internal';

export class MeterlineError extends Error {
  readonly kind: ErrorKind;
  readonly retriable: boolean;

  constructor(kind: ErrorKind, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeterlineError';
    this.kind = kind;
    this.retriable = options.retriable ?? kind === 'unavailable';
  }
}

export const isKind = (err: unknown, kind: ErrorKind): err is MeterlineError =>
  err instanceof MeterlineError && err.kind === kind;

/** A list of problems found in one input, each naming where (`plans.x.tiers[1].up_to`). */
export interface Problem {
  path: string;
  message: string;
}

export class ValidationError extends MeterlineError {
  readonly problems: readonly Problem[];
  constructor(what: string, problems: readonly Problem[]) {
    super('validation', `${what}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'ValidationError';
    this.problems = problems;
  }
}
