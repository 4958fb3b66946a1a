// A CLI command is one module exporting `run(argv)`; it returns the exit code.
export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad command-line usage: printed as one line, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
