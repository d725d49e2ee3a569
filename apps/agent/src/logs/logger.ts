// The agent's own log: one line per event, to <logDir>/drover-agent.log (rotated by size) and to stderr.
import { join } from 'node:path';
import { RotatingFile } from './rotating-file';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  close(): void;
}

export interface LoggerOptions {
  logDir: string;
  level: LogLevel;
  toStderr: boolean;
  maxBytes?: number;
  keep?: number;
}

function format(level: LogLevel, message: string, fields: LogFields | undefined): string {
  let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}`;
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue;
    const text = String(value);
    line += ` ${key}=${/[\s"=]/.test(text) || text === '' ? JSON.stringify(text) : text}`;
  }
  return `${line}\n`;
}

export function createLogger(options: LoggerOptions): Logger {
  const file = new RotatingFile(join(options.logDir, 'drover-agent.log'), {
    maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    keep: options.keep ?? 5,
  });
  const min = RANK[options.level];
  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const line = format(level, message, fields);
    file.write(line);
    if (options.toStderr) process.stderr.write(line);
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    close: () => file.close(),
  };
}
