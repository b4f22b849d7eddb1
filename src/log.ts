/** Structured logs (pino) on stderr; stdout is kept for the "listening on" lines scripts read. */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export type { Logger };

export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: undefined }, pino.destination({ fd: 2, sync: false }));
}
