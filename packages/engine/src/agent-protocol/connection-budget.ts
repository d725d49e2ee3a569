// How the API's database pool is shared among agent calls. The shared statements (claims, completions, acks, log
// chunks, specs) bound their own connections and never wait at the agent gate; every other agent call takes its turn
// at the gate for what is left after a few connections are kept for everything else (console, CLI, admin).
import { ACK_STATEMENTS, LOG_STATEMENTS } from './ack-log-statements';
import { CLAIM_STATEMENTS } from './claim-statement';
import { COMPLETION_STATEMENTS } from './completion-statement';
import { SPEC_STATEMENTS } from './deployment-spec';

/** Pool connections agent calls leave to everything else (console, CLI, registration-token admin, …). */
export const RESERVED_FOR_OTHERS = 4;

/** Connections the shared agent statements may hold at once, beside the calls that take turns at the gate. */
export const SHARED_STATEMENT_CONNECTIONS =
  CLAIM_STATEMENTS + COMPLETION_STATEMENTS + ACK_STATEMENTS + LOG_STATEMENTS + SPEC_STATEMENTS;

/** The gate never goes below this, however small the pool: agent calls that take turns must still make progress. */
const MIN_GATE_LIMIT = 2;

/** Agent calls the gate lets use the database at once: pool size − reserved for others − shared statements. */
export function agentGateLimit(poolSize: number): number {
  return Math.max(MIN_GATE_LIMIT, poolSize - RESERVED_FOR_OTHERS - SHARED_STATEMENT_CONNECTIONS);
}
