// Reading what a user's traffic webhook answers. The receiver is someone else's code, so every field is checked by
// hand (this package has no schema library) and a wrong answer becomes one readable BAD_ANSWER message naming the
// field, instead of an undefined that surfaces three calls later.
import { TrafficError } from '../provider';

/** One server as the receiver reports it; what it leaves out is filled in when mapped to a ServerView. */
export interface WebhookServerState {
  server: string;
  status: string;
  adminState: 'ready' | 'drain' | 'maint';
  health: 'up' | 'down' | 'unknown';
  checkStatus?: string | null;
  sessions?: number;
  queued?: number;
  weight?: number;
  address?: string | null;
}

/** A 2xx answer's body. */
export interface WebhookAnswer {
  state: 'done' | 'pending';
  message?: string;
  retryAfterSeconds?: number;
  servers?: WebhookServerState[];
}

const ADMIN_STATES = ['ready', 'drain', 'maint'] as const;
const HEALTHS = ['up', 'down', 'unknown'] as const;

/** A problem with one field, collected so the error can name the first of them. */
class ShapeError extends Error {}

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(obj: Fields, key: string, where: string): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ShapeError(`${where}.${key} must be a string`);
  return value;
}

function optionalNullableString(obj: Fields, key: string, where: string): string | null | undefined {
  if (obj[key] === null) return null;
  return optionalString(obj, key, where);
}

function optionalCount(obj: Fields, key: string, where: string): number | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ShapeError(`${where}.${key} must be a number ≥ 0`);
  }
  return value;
}

function oneOf<T extends string>(obj: Fields, key: string, allowed: readonly T[], where: string): T {
  const value = obj[key];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ShapeError(`${where}.${key} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

function serverState(value: unknown, where: string): WebhookServerState {
  if (!isObject(value)) throw new ShapeError(`${where} must be an object`);
  const server = value.server;
  if (typeof server !== 'string' || server === '') throw new ShapeError(`${where}.server must be a non-empty string`);
  const status = value.status;
  if (typeof status !== 'string') throw new ShapeError(`${where}.status must be a string`);
  const state: WebhookServerState = {
    server,
    status,
    adminState: oneOf(value, 'adminState', ADMIN_STATES, where),
    health: oneOf(value, 'health', HEALTHS, where),
  };
  const checkStatus = optionalNullableString(value, 'checkStatus', where);
  if (checkStatus !== undefined) state.checkStatus = checkStatus;
  const address = optionalNullableString(value, 'address', where);
  if (address !== undefined) state.address = address;
  for (const key of ['sessions', 'queued', 'weight'] as const) {
    const n = optionalCount(value, key, where);
    if (n !== undefined) state[key] = n;
  }
  return state;
}

function answerShape(value: unknown): WebhookAnswer {
  if (!isObject(value)) throw new ShapeError('the answer must be a JSON object');
  const answer: WebhookAnswer = { state: oneOf(value, 'state', ['done', 'pending'] as const, 'answer') };
  const message = optionalString(value, 'message', 'answer');
  if (message !== undefined) answer.message = message;
  const retryAfter = optionalCount(value, 'retryAfterSeconds', 'answer');
  if (retryAfter !== undefined) answer.retryAfterSeconds = retryAfter;
  if (value.servers !== undefined) {
    if (!Array.isArray(value.servers)) throw new ShapeError('answer.servers must be an array');
    answer.servers = value.servers.map((s, i) => serverState(s, `answer.servers[${i}]`));
  }
  return answer;
}

/** Cut a receiver's text to a length fit for a log line or an error message. */
export function truncate(text: string, max = 500): string {
  const flat = text.trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}… (${flat.length - max} more characters)`;
}

/** Parse a 2xx body; anything but JSON of the documented shape is a TrafficError 'BAD_ANSWER'. */
export function parseWebhookAnswer(body: string, what: string): WebhookAnswer {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new TrafficError(
      'BAD_ANSWER',
      `the traffic webhook answered ${what} with something that is not JSON: ${truncate(body, 200) || '(empty body)'}`,
    );
  }
  try {
    return answerShape(json);
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    throw new TrafficError(
      'BAD_ANSWER',
      `the traffic webhook answered ${what} with JSON Drover cannot read: ${err.message} (got ${truncate(body, 200)})`,
    );
  }
}

/** The `code` a refusal's JSON body names ({"code": "UNKNOWN_SERVER", "error": "…"}), if it is JSON and names one. */
export function refusalCode(body: string): string | null {
  try {
    const json: unknown = JSON.parse(body);
    return isObject(json) && typeof json.code === 'string' ? json.code : null;
  } catch {
    return null;
  }
}
