// The command tree flattened for completion scripts: for every command path ('' is the top, 'apps list' a leaf),
// its subcommands, its options (with the global ones), which option values have fixed choices or are file names,
// and whether its positional arguments are paths. Generated from the commander tree, so completion cannot drift
// from the real commands.
import type { Command } from 'commander';

export interface CompletionOption {
  /** `--output`, `-o`. */
  flags: string[];
  description: string;
  takesValue: boolean;
  choices: string[] | undefined;
  files: boolean;
}

export interface CompletionNode {
  path: string;
  subcommands: { name: string; aliases: string[]; description: string }[];
  options: CompletionOption[];
  fileArgs: boolean;
}

const FILE_OPTIONS = new Set(['--dir', '--file', '--from-file']);
const FILE_ARG = /dir|file|path/i;

function optionsOf(cmd: Command): CompletionOption[] {
  return cmd.options
    .filter((o) => !o.hidden)
    .map((o) => ({
      flags: [o.long, o.short].filter((f): f is string => Boolean(f)),
      description: o.description,
      takesValue: o.required || o.optional,
      choices: o.argChoices,
      files: o.long !== undefined && FILE_OPTIONS.has(o.long),
    }));
}

const HELP: CompletionOption = {
  flags: ['--help', '-h'],
  description: 'show help',
  takesValue: false,
  choices: undefined,
  files: false,
};

export function completionTree(program: Command): CompletionNode[] {
  const globals = optionsOf(program);
  const nodes: CompletionNode[] = [];
  const visit = (cmd: Command, path: string) => {
    const own = path === '' ? [] : optionsOf(cmd);
    nodes.push({
      path,
      subcommands: cmd.commands.map((c) => ({ name: c.name(), aliases: c.aliases(), description: c.description() })),
      options: [...own, ...globals, HELP],
      fileArgs: cmd.registeredArguments.some((a) => FILE_ARG.test(a.name())),
    });
    for (const c of cmd.commands) visit(c, path ? `${path} ${c.name()}` : c.name());
  };
  visit(program, '');
  return nodes;
}

/** `${path}:${word}` → the path that word leads to (subcommand names and aliases). */
export function transitions(nodes: CompletionNode[]): { from: string; word: string; to: string }[] {
  return nodes.flatMap((n) =>
    n.subcommands.flatMap((s) =>
      [s.name, ...s.aliases].map((word) => ({ from: n.path, word, to: n.path ? `${n.path} ${s.name}` : s.name })),
    ),
  );
}
