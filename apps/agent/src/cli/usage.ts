// The agent's command line, as `drover-agent --help` prints it (docs/agent.md says the same at more length).
export const DEFAULT_CONFIG = '/etc/drover/agent.yml';

export const USAGE = `usage:
  drover-agent [--config <file>]       run the agent (the systemd unit does this)
  drover-agent register --server <url> --token <drr_…> [--name <name>] [--tag k=v]… [--root <dir>]
                        [--log-dir <dir>] [--config <file>] [--force]
                                       register this host, write the config (0600) and credential, exit
  drover-agent status [--config <file>] [--json]
                                       registered as what, server reachable, last poll, current command
  drover-agent version                 print the agent's version (also --version)

  --config <file>  YAML configuration (default ${DEFAULT_CONFIG}); DROVER_* variables override it`;

/** Thrown for a wrong command line or configuration: main prints the message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
