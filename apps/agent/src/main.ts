// drover-agent command line: `drover-agent [--config /etc/drover/agent.yml]` runs the agent; `register`, `status`
// and `version` are one-shot commands (src/cli). Configuration and usage errors print one line and exit 2
// (systemd then shows the reason instead of a restart loop of stack traces).
import { existsSync } from 'node:fs';
import { registerCommand, type CliIo } from './cli/register';
import { statusCommand } from './cli/status';
import { DEFAULT_CONFIG, USAGE, UsageError } from './cli/usage';
import { ConfigError, loadConfig, type AgentConfig } from './config';
import { startAgent } from './runtime/agent';
import { restartInto } from './runtime/restart';
import { AGENT_VERSION } from './version';

function fail(message: string): never {
  process.stderr.write(`drover-agent: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): { configPath?: string } {
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--version' || arg === '-v') {
      process.stdout.write(`${AGENT_VERSION}\n`);
      process.exit(0);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (arg === '--config') {
      configPath = argv[++i];
      if (!configPath) fail('--config needs a file name');
    } else if (arg.startsWith('--config=')) {
      configPath = arg.slice('--config='.length);
    } else {
      fail(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
    }
  }
  return configPath === undefined ? {} : { configPath };
}

const io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
const SUBCOMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  register: registerCommand,
  status: statusCommand,
  version: async (argv) => {
    if (argv.length) throw new UsageError(`version takes no arguments`);
    io.out(`${AGENT_VERSION}\n`);
    return 0;
  },
};

function runSubcommand(name: string, argv: string[]): void {
  const command = SUBCOMMANDS[name] as (argv: string[], io: CliIo) => Promise<number>;
  command(argv, io).then(
    // Exit once the output is flushed (stdout may be a pipe the installer reads).
    (code) => process.stdout.write('', () => process.exit(code)),
    (err: Error) => {
      if (err instanceof UsageError) fail(`${name}: ${err.message}`);
      process.stderr.write(`drover-agent ${name}: ${err.message}\n`);
      process.exit(1);
    },
  );
}

function main(): void {
  const first = process.argv[2];
  if (first !== undefined && Object.hasOwn(SUBCOMMANDS, first)) {
    runSubcommand(first, process.argv.slice(3));
    return;
  }
  const { configPath } = parseArgs(process.argv.slice(2));
  let config: AgentConfig;
  try {
    config = loadConfig(configPath ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined));
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid configuration: ${err.message}`);
    throw err;
  }
  const agent = startAgent(config);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second signal: the operator does not want to wait
    stopping = true;
    process.stderr.write(`drover-agent: ${signal} received, stopping\n`);
    void agent.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  agent.done.then(
    (exit) => {
      if (exit.restartInto) restartInto(exit.restartInto, (line) => process.stderr.write(`drover-agent: ${line}\n`));
      process.exit(0);
    },
    (err: Error) => {
      process.stderr.write(`drover-agent: ${err.message}\n`);
      process.exit(1);
    },
  );
}

main();
