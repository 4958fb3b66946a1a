// What the chaos suite did and when: one line per kill, restart and phase, with the wall-clock
// time and the seconds since the run began, printed as it happens and kept for the summary.
export class Timeline {
  readonly lines: string[] = [];
  private readonly t0 = Date.now();

  constructor(private readonly print: (line: string) => void) {}

  note(what: string): void {
    const now = Date.now();
    const line = `${new Date(now).toISOString()} +${((now - this.t0) / 1000).toFixed(1).padStart(6)}s  ${what}`;
    this.lines.push(line);
    this.print(line);
  }

  elapsedS(): number {
    return (Date.now() - this.t0) / 1000;
  }
}
