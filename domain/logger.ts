import { type Clock, systemClock } from "./clock";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

type WritableLevel = Exclude<LogLevel, "silent">;

export interface JsonLoggerOptions {
  level?: LogLevel;
  clock?: Clock;
  /** Receives each finished JSON line; defaults to the console method of the line's level. */
  write?: (line: string, level: WritableLevel) => void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

const consoleWrite = (line: string, level: WritableLevel) => console[level](line);

/** One JSON object per line, which CloudWatch Logs Insights can query field by field. */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? "info"];
  const clock = options.clock ?? systemClock;
  const write = options.write ?? consoleWrite;
  const log =
    (level: WritableLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (RANK[level] < threshold) return;
      const line = { level, time: new Date(clock.now()).toISOString(), msg: message, ...fields };
      write(JSON.stringify(line, errorsAsObjects), level);
    };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

// Error's own properties are not enumerable: JSON.stringify would print {}.
function errorsAsObjects(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const code = (value as { code?: unknown }).code;
  return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
}
