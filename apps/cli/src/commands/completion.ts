// drover completion bash|zsh|fish: prints a completion script generated from the command tree.
import { Argument, Command } from 'commander';
import { bashCompletion } from '../completion/bash';
import { fishCompletion } from '../completion/fish';
import { completionTree } from '../completion/tree';
import { zshCompletion } from '../completion/zsh';
import type { Io } from '../io';
import { action, type RunState } from './shared';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

export function completionCommand(io: Io, state: RunState, program: () => Command): Command {
  return new Command('completion')
    .description('Print a shell completion script')
    .addArgument(new Argument('<shell>', 'your shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  source <(drover completion bash)                               # this shell only
  drover completion bash > ~/.local/share/bash-completion/completions/drover
  drover completion zsh > "\${fpath[1]}/_drover"
  drover completion fish > ~/.config/fish/completions/drover.fish`,
    )
    .action(
      action(io, state, async (ctx, [shell]) => {
        const nodes = completionTree(program());
        const script =
          shell === 'bash' ? bashCompletion(nodes) : shell === 'zsh' ? zshCompletion(nodes) : fishCompletion(nodes);
        ctx.io.stdout.write(script);
      }),
    );
}
