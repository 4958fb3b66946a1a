// Logs (pino), one logger per process, child loggers per role/request. Level from
// METERLINE_LOG_LEVEL; logs go to stderr so commands that print data (bill, nagios convert,
// keys create) keep stdout clean. JSON lines, except on a terminal outside production, where
// they read as text (log-text.ts).
import { pino, type Logger } from 'pino';
import { textStream, wantsText } from './log-text.js';

export type { Logger };

export function createLogger(level: string = process.env.METERLINE_LOG_LEVEL ?? 'info', name = 'meterline'): Logger {
  const options = { name, level, base: { pid: process.pid } };
  return wantsText() ? pino(options, textStream(process.stderr)) : pino(options, pino.destination(2));
}
