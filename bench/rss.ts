// Peak resident set size of this process over a phase of a bench (SPEC §11: streaming benches
// report it). Sampled, because process.resourceUsage().maxRSS is the peak since the process
// started — it would include the pre-load phase, which the role in production never runs.
export interface RssProbe {
  /** Stops sampling; the largest RSS seen, in MiB. */
  stop(): number;
}

export function sampleRss(everyMs = 100): RssProbe {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return Math.round(peak / 2 ** 20);
    },
  };
}
