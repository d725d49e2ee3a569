// The `drover` command tree. Global options (--url, --token, --profile, --output) work before or after the
// subcommand; every commander refusal (unknown option, missing argument, bad choice) becomes exit code 2.
import { Command, Option } from 'commander';
import { accessKeysCommand } from './commands/access-keys';
import { agentUpgradesCommand } from './commands/agent-upgrades';
import { auditCommand } from './commands/audit';
import { appsCommand } from './commands/apps';
import { loginCommand, logoutCommand, whoamiCommand } from './commands/auth';
import { completionCommand } from './commands/completion';
import { configsCommand } from './commands/configs';
import { deployCommand } from './commands/deploy';
import { deploymentsCommand } from './commands/deployments';
import { groupsCommand } from './commands/groups';
import { instancesCommand } from './commands/instances';
import { registrationTokensCommand } from './commands/registration-tokens';
import { tokensCommand } from './commands/tokens';
import { usersCommand } from './commands/users';
import { loadBalancersCommand } from './commands/load-balancers';
import { alarmsCommand } from './commands/alarms';
import { logsCommand } from './commands/logs';
import { notifyCommand } from './commands/notify';
import { pushCommand } from './commands/push';
import { revisionsCommand } from './commands/revisions';
import type { RunState } from './commands/shared';
import type { Io } from './io';
import { VERSION } from './version';

const EXAMPLES = `
Configuration: --url/--token, else DROVER_URL/DROVER_TOKEN, else the profile saved by \`drover login\`.
Exit codes: 0 success; 1 failed (API error, deployment failed or stopped, server unreachable); 2 usage error.

Examples:
  drover login --url https://drover.example.com
  drover push ./build --app shop
  drover deploy --app shop --group prod --dir ./build --wait
  drover deployment list --app shop --output json
  drover logs d-ABCDEFGHI --follow
  drover deployment stop d-ABCDEFGHI --rollback`;

/** Applies settings to every command of the tree (commander copies them only to commands made with .command()). */
function eachCommand(cmd: Command, fn: (c: Command) => void) {
  fn(cmd);
  for (const c of cmd.commands) eachCommand(c, fn);
}

export function buildProgram(io: Io, state: RunState): Command {
  const program = new Command('drover')
    .description('Drover: deploy revisions to your servers, follow them live, stop and roll back')
    .version(VERSION, '-v, --version', 'print the version')
    .option('--url <url>', 'Drover server URL (default: DROVER_URL, or the profile)')
    .option('--token <token>', 'API token (default: DROVER_TOKEN, or the profile)')
    .option('--profile <name>', 'config file profile to use (default: DROVER_PROFILE, or the current one)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-color', 'no colours (NO_COLOR works too)')
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true);

  program.addCommand(loginCommand(io, state).helpGroup('Account:'));
  program.addCommand(logoutCommand(io, state).helpGroup('Account:'));
  program.addCommand(whoamiCommand(io, state).helpGroup('Account:'));
  program.addCommand(tokensCommand(io, state).helpGroup('Account:'));
  program.addCommand(accessKeysCommand(io, state).helpGroup('Account:'));
  program.addCommand(pushCommand(io, state).helpGroup('Deploying:'));
  program.addCommand(deployCommand(io, state).helpGroup('Deploying:'));
  program.addCommand(deploymentsCommand(io, state).helpGroup('Deploying:'));
  program.addCommand(logsCommand(io, state).helpGroup('Deploying:'));
  program.addCommand(appsCommand(io, state).helpGroup('Resources:'));
  program.addCommand(groupsCommand(io, state).helpGroup('Resources:'));
  program.addCommand(configsCommand(io, state).helpGroup('Resources:'));
  program.addCommand(revisionsCommand(io, state).helpGroup('Resources:'));
  program.addCommand(instancesCommand(io, state).helpGroup('Resources:'));
  program.addCommand(registrationTokensCommand(io, state).helpGroup('Resources:'));
  program.addCommand(agentUpgradesCommand(io, state).helpGroup('Resources:'));
  program.addCommand(usersCommand(io, state).helpGroup('Resources:'));
  program.addCommand(auditCommand(io, state).helpGroup('Resources:'));
  program.addCommand(loadBalancersCommand(io, state).helpGroup('Resources:'));
  program.addCommand(alarmsCommand(io, state).helpGroup('Resources:'));
  program.addCommand(notifyCommand(io, state).helpGroup('Resources:'));
  program.addCommand(completionCommand(io, state, () => program).helpGroup('Other:'));

  eachCommand(program, (c) => {
    c.exitOverride();
    c.configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(io.err.red(s)),
    });
    if (c !== program) c.showHelpAfterError(`(see: ${commandPath(c)} --help)`);
  });
  return program;
}

function commandPath(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x; x = x.parent) names.unshift(x.name());
  return names.join(' ');
}
