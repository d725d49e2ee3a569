// The agent's version, reported at registration and on every poll; taken from package.json so it cannot drift.
import packageJson from '../package.json' with { type: 'json' };

export const AGENT_VERSION: string = packageJson.version;
