import { describe, expect, it } from 'vitest';
import pc from 'picocolors';
import { buildProgram } from '../program';
import type { Io } from '../io';
import { completionTree, transitions } from './tree';

const io: Io = {
  stdout: { write: () => true },
  stderr: { write: () => true },
  stdin: process.stdin,
  env: {},
  out: pc.createColors(false),
  err: pc.createColors(false),
};

describe('completionTree', () => {
  const nodes = completionTree(buildProgram(io, { exitCode: 0 }));
  const at = (path: string) => nodes.find((n) => n.path === path);

  it('has a node for every command path, aliases leading to the canonical path', () => {
    expect(at('')?.subcommands.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'login',
        'push',
        'deploy',
        'deployment',
        'logs',
        'apps',
        'groups',
        'configs',
        'revisions',
        'instances',
        'completion',
      ]),
    );
    expect(at('deployment stop')).toBeDefined();
    expect(transitions(nodes)).toContainEqual({ from: 'deployment', word: 'ls', to: 'deployment list' });
    expect(transitions(nodes)).toContainEqual({ from: '', word: 'deployments', to: 'deployment' });
  });

  it('gives every path the global options, and knows option choices and file arguments', () => {
    const deploy = at('deploy')!;
    const flags = deploy.options.flatMap((o) => o.flags);
    expect(flags).toEqual(expect.arrayContaining(['--app', '-a', '--wait', '--url', '--output', '-o', '--help']));
    expect(deploy.options.find((o) => o.flags.includes('--file-exists-behavior'))?.choices).toEqual([
      'DISALLOW',
      'OVERWRITE',
      'RETAIN',
    ]);
    expect(deploy.options.find((o) => o.flags.includes('--dir'))?.files).toBe(true);
    expect(at('push')?.fileArgs).toBe(true);
    expect(at('apps get')?.fileArgs).toBe(false);
  });
});
