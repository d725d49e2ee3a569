// The answer reader: the documented shape passes, and each way a receiver can get it wrong is a BAD_ANSWER naming
// the field.
import { describe, expect, it } from 'vitest';
import { TrafficError } from '../provider';
import { parseWebhookAnswer, refusalCode, truncate } from './webhook-answer';

function badAnswer(body: string): TrafficError {
  try {
    parseWebhookAnswer(body, 'block of be/srv');
  } catch (err) {
    expect(err).toBeInstanceOf(TrafficError);
    expect((err as TrafficError).code).toBe('BAD_ANSWER');
    return err as TrafficError;
  }
  throw new Error(`expected ${body} to be refused`);
}

describe('parseWebhookAnswer', () => {
  it('reads done and pending answers with their optional fields', () => {
    expect(parseWebhookAnswer('{"state":"done"}', 'x')).toEqual({ state: 'done' });
    expect(parseWebhookAnswer('{"state":"pending","message":"3 sessions","retryAfterSeconds":2}', 'x')).toEqual({
      state: 'pending',
      message: '3 sessions',
      retryAfterSeconds: 2,
    });
  });

  it('reads servers, keeping only what the receiver said', () => {
    const body = JSON.stringify({
      state: 'done',
      servers: [
        {
          server: 'a',
          status: 'UP',
          adminState: 'ready',
          health: 'up',
          sessions: 4,
          weight: 10,
          address: '10.0.0.1:80',
        },
        { server: 'b', status: 'MAINT', adminState: 'maint', health: 'unknown', address: null, checkStatus: null },
      ],
      extra: 'ignored',
    });
    expect(parseWebhookAnswer(body, 'x').servers).toEqual([
      { server: 'a', status: 'UP', adminState: 'ready', health: 'up', sessions: 4, weight: 10, address: '10.0.0.1:80' },
      { server: 'b', status: 'MAINT', adminState: 'maint', health: 'unknown', address: null, checkStatus: null },
    ]);
  });

  it('refuses bodies that are not JSON, with the text it got', () => {
    expect(badAnswer('<html>oops</html>').message).toBe(
      'the traffic webhook answered block of be/srv with something that is not JSON: <html>oops</html>',
    );
    expect(badAnswer('').message).toContain('(empty body)');
  });

  it('names the field that is wrong', () => {
    expect(badAnswer('[]').message).toContain('the answer must be a JSON object');
    expect(badAnswer('{"state":"ok"}').message).toContain('answer.state must be one of "done", "pending"');
    expect(badAnswer('{"state":"done","message":5}').message).toContain('answer.message must be a string');
    expect(badAnswer('{"state":"pending","retryAfterSeconds":-1}').message).toContain(
      'answer.retryAfterSeconds must be a number ≥ 0',
    );
    expect(badAnswer('{"state":"done","servers":{}}').message).toContain('answer.servers must be an array');
    expect(badAnswer('{"state":"done","servers":[{"server":""}]}').message).toContain(
      'answer.servers[0].server must be a non-empty string',
    );
    expect(
      badAnswer('{"state":"done","servers":[{"server":"a","status":"UP","adminState":"on","health":"up"}]}').message,
    ).toContain('answer.servers[0].adminState must be one of "ready", "drain", "maint"');
    expect(
      badAnswer(
        '{"state":"done","servers":[{"server":"a","status":"UP","adminState":"ready","health":"up","sessions":"2"}]}',
      ).message,
    ).toContain('answer.servers[0].sessions must be a number ≥ 0');
  });
});

describe('refusalCode', () => {
  it('finds the code of a JSON refusal and nothing else', () => {
    expect(refusalCode('{"code":"UNKNOWN_SERVER","error":"unknown server"}')).toBe('UNKNOWN_SERVER');
    expect(refusalCode('{"error":"unknown server"}')).toBeNull();
    expect(refusalCode('unknown server')).toBeNull();
    expect(refusalCode('{"code":404}')).toBeNull();
  });
});

describe('truncate', () => {
  it('keeps short text and cuts long text, saying how much was cut', () => {
    expect(truncate('  short \n')).toBe('short');
    expect(truncate('x'.repeat(510))).toBe(`${'x'.repeat(500)}… (10 more characters)`);
  });
});
