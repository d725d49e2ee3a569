// The agent's version, reported at registration and on every poll: package.json's, so it cannot drift, unless the
// build was given another (build.mjs defines DROVER_BUILD_VERSION from DROVER_AGENT_VERSION).
import packageJson from '../package.json' with { type: 'json' };

declare const DROVER_BUILD_VERSION: string | undefined;

export const AGENT_VERSION: string =
  typeof DROVER_BUILD_VERSION === 'string' ? DROVER_BUILD_VERSION : packageJson.version;
