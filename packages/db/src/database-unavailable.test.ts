// Which errors mean "the database is unreachable right now" (the API answers 503 and the caller retries), and which
// are bugs (500). Shapes as pg, Prisma and its pg adapter throw them.
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './client';

const prismaError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'pg: connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    [
      'pg: admin shutdown',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ],
    ['pg: connection lost mid-query', new Error('Connection terminated unexpectedly')],
    [
      'pg: a pooled client whose connection failed',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['Prisma P1001', prismaError('P1001', "Can't reach database server at 127.0.0.1:5432")],
    ['Prisma P1008', prismaError('P1008', 'Operations timed out')],
    ['Prisma P1017', prismaError('P1017', 'Server has closed the connection.')],
    ['Prisma P2028', prismaError('P2028', 'Transaction API error: Unable to start a transaction in the given time.')],
    ['Prisma P2037', prismaError('P2037', 'Too many database connections opened')],
    ['wrapped', Object.assign(new Error('outer'), { cause: new Error('Connection terminated unexpectedly') })],
  ])('%s: unavailable', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', prismaError('P2002', 'Unique constraint failed on the fields: (`name`)')],
    ['a record not found', prismaError('P2025', 'Record to update not found.')],
    ['a syntax error', Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', null],
  ])('%s: a bug, not an outage', (_, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
