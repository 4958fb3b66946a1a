// JSON logs (pino), one logger per process, child loggers per role/request. Level from
// METERLINE_LOG_LEVEL; logs go to stderr so commands that print data (bill, nagios convert,
// keys create) keep stdout clean.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.METERLINE_LOG_LEVEL ?? 'info', name = 'meterline'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination(2));
}
