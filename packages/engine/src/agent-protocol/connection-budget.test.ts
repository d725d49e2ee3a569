import { describe, expect, it } from 'vitest';
import { agentGateLimit, RESERVED_FOR_OTHERS, SHARED_STATEMENT_CONNECTIONS } from './connection-budget';

describe('agentGateLimit', () => {
  it('gives the gate what the pool has left after the others and the shared statements', () => {
    expect(SHARED_STATEMENT_CONNECTIONS).toBe(9);
    expect(RESERVED_FOR_OTHERS).toBe(4);
    // The API's pool of 20: 20 − 4 − 9.
    expect(agentGateLimit(20)).toBe(7);
    expect(agentGateLimit(40)).toBe(27);
  });

  it('never closes the gate, however small the pool', () => {
    expect(agentGateLimit(14)).toBe(2);
    expect(agentGateLimit(10)).toBe(2);
    expect(agentGateLimit(1)).toBe(2);
  });
});
