// One progress line on stderr: rewritten in place on a terminal, a line every few seconds in a
// log (CI), and a final line either way.
export interface Progress {
  update(done: number, extra?: string): void;
  end(done: number, extra?: string): void;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY === true;
  const started = performance.now();
  let last = 0;
  const line = (done: number, extra?: string) => {
    const secs = (performance.now() - started) / 1000;
    const pct = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : '';
    const rate = secs > 0 ? Math.round(done / secs) : 0;
    return `${label}: ${done}/${total}${pct}, ${rate}/s, ${secs.toFixed(1)} s${extra ? `, ${extra}` : ''}`;
  };
  return {
    update(done, extra) {
      const now = performance.now();
      if (now - last < (tty ? 250 : 5000)) return;
      last = now;
      stream.write(tty ? `\r\x1b[2K${line(done, extra)}` : `${line(done, extra)}\n`);
    },
    end(done, extra) {
      stream.write(tty ? `\r\x1b[2K${line(done, extra)}\n` : `${line(done, extra)}\n`);
    },
  };
}
