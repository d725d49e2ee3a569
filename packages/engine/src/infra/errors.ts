// Typed errors thrown by services; the API maps each to one HTTP status and the { error } envelope, once.
import { ERROR_STATUS } from '@drover/contracts';

type ErrorKind = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    /** Stable machine-readable code, e.g. DeploymentGroupDoesNotExist. */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
  get status(): number {
    return ERROR_STATUS[this.kind];
  }
}

export const notFound = (code: string, message: string, details?: unknown) =>
  new AppError('NotFound', code, message, details);
export const conflict = (code: string, message: string, details?: unknown) =>
  new AppError('Conflict', code, message, details);
export const invalid = (code: string, message: string, details?: unknown) =>
  new AppError('InvalidInput', code, message, details);
export const forbidden = (message: string) => new AppError('Forbidden', 'Forbidden', message);
export const unauthenticated = (message: string) => new AppError('Unauthenticated', 'Unauthenticated', message);
/** Too much waiting for the database: nothing was recorded, come back later (answered 503 with Retry-After). */
export class BusyError extends AppError {
  constructor(readonly retryAfterSeconds = 5) {
    super('ServiceUnavailable', 'ServiceUnavailable', 'the server is busy with other agents; retry shortly');
  }
}
export const busy = () => new BusyError();
