// The real `drover` binary: `drover login` and its config file (0600), profiles and precedence, logout revoking the
// token, and shell completion scripts generated from the command tree.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationPage, MeResponse } from '@drover/contracts';
import { startTestApi, type TestApi } from '../../support/api';
import { cleanupCliTemp, cliBundle, runCli, tempDir } from './support';

let api: TestApi;
let url: string;

beforeAll(async () => {
  cliBundle();
  api = await startTestApi();
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
});

afterAll(async () => {
  await api.close();
  cleanupCliTemp();
});

describe('drover login', () => {
  it('logs in with email and password, saves URL and a new API token in a 0600 file, and uses them', async () => {
    const home = tempDir('home');
    const r = await runCli(['login', '--url', url, '--email', api.adminEmail, '--password-stdin'], home, {
      input: `${api.adminPassword}\n`,
    });
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(home, '.config', 'drover', 'config.json');
    expect(r.stderr).toContain(`Logged in to ${url} as ${api.adminEmail} (admin); API token "drover-cli `);
    expect(r.stderr).toContain(`saved in ${file} [profile default]`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      currentProfile: string;
      profiles: Record<string, { url: string; token: string; tokenId: string; email: string }>;
    };
    expect(config.currentProfile).toBe('default');
    expect(config.profiles.default).toMatchObject({ url, email: api.adminEmail });
    expect(config.profiles.default!.token).toMatch(/^drv_/);
    expect(JSON.stringify(config)).not.toContain(api.adminPassword);

    // No URL or token on the command line or in the environment: the profile is used.
    const me = MeResponse.parse(JSON.parse((await runCli(['whoami', '--output', 'json'], home)).stdout));
    expect(me).toMatchObject({ kind: 'token', role: 'admin', token: { id: config.profiles.default!.tokenId } });
    expect(me.token?.name).toMatch(/^drover-cli /);
    expect((await runCli(['apps', 'list'], home)).code).toBe(0);

    // logout revokes the token on the server and forgets it.
    const out = await runCli(['logout'], home);
    expect(out.code, out.stderr).toBe(0);
    const after = JSON.parse(readFileSync(file, 'utf8')) as {
      profiles: Record<string, { token?: string; url?: string }>;
    };
    expect(after.profiles.default).toEqual({ url, email: api.adminEmail });
    const revoked = await runCli(['apps', 'list'], home, { env: { DROVER_TOKEN: config.profiles.default!.token } });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain('HTTP 401');
    const none = await runCli(['apps', 'list'], home);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`error: no API token for ${url}\nhint: run \`drover login\`, or set DROVER_TOKEN`);
  });

  it('refuses a wrong password (exit 1) and asks for --password-stdin when there is no terminal (exit 2)', async () => {
    const home = tempDir('home');
    const wrong = await runCli(['login', '--url', url, '--email', api.adminEmail, '--password-stdin'], home, {
      input: 'not the password\n',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/HTTP 401/);
    const noPassword = await runCli(['login', '--url', url, '--email', api.adminEmail], home);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('error: no password: pass --password-stdin');
    const noUrl = await runCli(['login'], home);
    expect(noUrl.code).toBe(2);
  });

  it('saves a given token into a named profile; flags and variables take precedence as documented', async () => {
    const home = tempDir('home');
    const saved = await runCli(['login', '--profile', 'ci', '--url', url, '--token', api.tokens.viewer], home);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stderr).toContain('(viewer); token saved in');
    const config = JSON.parse(readFileSync(path.join(home, '.config', 'drover', 'config.json'), 'utf8')) as {
      currentProfile: string;
    };
    expect(config.currentProfile).toBe('ci'); // the first profile saved becomes the current one

    const who = async (args: string[], env: Record<string, string> = {}) =>
      MeResponse.parse(JSON.parse((await runCli([...args, 'whoami', '-o', 'json'], home, { env })).stdout)).role;
    expect(await who([])).toBe('viewer');
    expect(await who([], { DROVER_TOKEN: api.tokens.deployer })).toBe('deployer');
    expect(await who(['--profile', 'ci'], { DROVER_TOKEN: api.tokens.deployer })).toBe('viewer');
    expect(await who(['--token', api.tokens.admin], { DROVER_TOKEN: api.tokens.deployer })).toBe('admin');

    const bad = await runCli(['login', '--url', url, '--token', 'drv_wrong'], home);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('hint: run `drover login` or set DROVER_TOKEN');
  });

  it('reports a broken config file by name', async () => {
    const home = tempDir('home');
    const file = path.join(home, 'broken.json');
    writeFileSync(file, '{ not json');
    const r = await runCli(['apps', 'list'], home, { env: { DROVER_CONFIG: file } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${file} is not valid JSON`);
  });
});

describe('output', () => {
  it('keeps stdout to the JSON document with --output json', async () => {
    const home = tempDir('home');
    const r = await runCli(['apps', 'list', '-o', 'json'], home, {
      env: { DROVER_URL: url, DROVER_TOKEN: api.tokens.viewer },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(ApplicationPage.parse(JSON.parse(r.stdout))).toEqual({ items: [], nextCursor: null });
  });

  it('prints help with examples and the version, exit 0', async () => {
    const home = tempDir('home');
    const help = await runCli(['--help'], home);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes: 0 success; 1 failed');
    expect(help.stdout).toContain('drover deploy --app shop --group prod --dir ./build --wait');
    const deployHelp = await runCli(['deploy', '--help'], home);
    expect(deployHelp.stdout).toContain('--file-exists-behavior <behavior>');
    expect((await runCli(['--version'], home)).stdout).toBe('0.1.0\n');
  });
});

describe('drover completion', () => {
  const complete = (script: string, words: string[]) => {
    const home = tempDir('bash');
    const file = path.join(home, 'drover.bash');
    writeFileSync(file, script);
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync(
      'bash',
      [
        '-c',
        `source ${file}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _drover_completions; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean);
  };

  it('generates a bash script that completes commands, subcommands, options and option values', async () => {
    const r = await runCli(['completion', 'bash'], tempDir('home'));
    expect(r.code).toBe(0);
    expect(spawnSync('bash', ['-n'], { input: r.stdout }).status).toBe(0);
    expect(complete(r.stdout, ['drover', 'dep'])).toEqual(['deploy', 'deployment', 'deployments']);
    expect(complete(r.stdout, ['drover', 'deployment', 'st'])).toEqual(['stop']);
    expect(complete(r.stdout, ['drover', 'deployments', 'stop', 'd-1', '--r'])).toEqual(['--rollback']);
    expect(complete(r.stdout, ['drover', 'deploy', '--file-exists-behavior', ''])).toEqual([
      'DISALLOW',
      'OVERWRITE',
      'RETAIN',
    ]);
    expect(complete(r.stdout, ['drover', 'apps', 'list', '--output', 'j'])).toEqual(['json']);
    expect(complete(r.stdout, ['drover', 'logs', 'd-1', '--event', 'Validate'])).toEqual(['ValidateService']);
    expect(complete(r.stdout, ['drover', 'completion', ''])).toEqual(expect.arrayContaining(['--help']));
  });

  it('generates zsh and fish scripts from the same tree', async () => {
    const zsh = await runCli(['completion', 'zsh'], tempDir('home'));
    expect(zsh.code).toBe(0);
    expect(zsh.stdout.startsWith('#compdef drover\n')).toBe(true);
    expect(zsh.stdout).toContain("('deployment:stop') cmdpath='deployment stop' ;;");
    expect(zsh.stdout).toContain(
      "('deploy|--file-exists-behavior') compadd -- 'DISALLOW' 'OVERWRITE' 'RETAIN'; return ;;",
    );
    const fish = await runCli(['completion', 'fish'], tempDir('home'));
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain(
      "complete -c drover -n '__drover_at \\'deployment\\'' -a 'stop' -d 'Stop a running deployment",
    );
    expect(fish.stdout).toContain("complete -c drover -n '__drover_at \\'logs\\'' -l event -x -a 'BeforeBlockTraffic");
    const bad = await runCli(['completion', 'powershell'], tempDir('home'));
    expect(bad.code).toBe(2);
  });
});
