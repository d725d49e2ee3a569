// Fastify gives every request a pino child logger carrying its request id. Building one binds a function per level,
// about a kilobyte and a dozen objects per request, held as long as the request: for 10,000 agents' long-polls that
// is 10,000 loggers, nearly all of which never write a line. This child is made on the first line actually written
// at an enabled level; until then a request carries only its parent and bindings.
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type Bindings = Record<string, unknown>;
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
interface PinoLike extends FastifyBaseLogger {
  isLevelEnabled(level: string): boolean;
  levels: { values: Record<string, number> };
}

const isPino = (l: FastifyBaseLogger): l is PinoLike =>
  typeof (l as Partial<PinoLike>).isLevelEnabled === 'function' && !!(l as Partial<PinoLike>).levels?.values;

class LazyChildLogger {
  #made: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: PinoLike,
    private readonly bindings: Bindings,
    /** The route's own level (Fastify's `logLevel`), if it has one. */
    private readonly ownLevel: string | undefined,
  ) {}

  private made(): FastifyBaseLogger {
    return (this.#made ??= this.parent.child(this.bindings, this.ownLevel ? { level: this.ownLevel } : {}));
  }
  private write(level: Level, args: unknown[]) {
    if (!this.#made && !this.isLevelEnabled(level)) return;
    (this.made()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.#made?.level ?? this.ownLevel ?? this.parent.level;
  }
  set level(level: string) {
    this.made().level = level;
  }
  isLevelEnabled(level: string): boolean {
    if (this.#made) return isPino(this.#made) && this.#made.isLevelEnabled(level);
    if (!this.ownLevel) return this.parent.isLevelEnabled(level);
    const v = this.parent.levels.values;
    return (v[level] ?? 0) >= (v[this.ownLevel] ?? Infinity);
  }
  fatal(...args: unknown[]) {
    this.write('fatal', args);
  }
  error(...args: unknown[]) {
    this.write('error', args);
  }
  warn(...args: unknown[]) {
    this.write('warn', args);
  }
  info(...args: unknown[]) {
    this.write('info', args);
  }
  debug(...args: unknown[]) {
    this.write('debug', args);
  }
  trace(...args: unknown[]) {
    this.write('trace', args);
  }
  silent() {}
  child(bindings: Bindings, options?: object): FastifyBaseLogger {
    return this.made().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: lazy for plain request children, Fastify's own way for anything else. */
export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  opts,
) => {
  // A route's own serializers need a real child; so does a logger that is not pino. A route's own level does not.
  const { level, ...rest } = opts;
  if (Object.keys(rest).length > 0 || !isPino(logger)) return logger.child(bindings, opts);
  return new LazyChildLogger(logger, bindings, level) as unknown as FastifyBaseLogger;
};
