import { describe, expect, it } from 'vitest';
import { AppSpecError, eventTimeoutSeconds, parseAppSpec, parseAppSpecWithWarnings, scriptsFor } from './index';

const SAMPLE = `version: 0.0
os: linux
files:
  - source: /index.html
    destination: /var/www/html/
  - source: /
    destination: /opt/app
file_exists_behavior: OVERWRITE
permissions:
  - object: /opt/app
    pattern: "*.sh"
    except: [skip.sh]
    owner: www-data
    mode: 755
    type:
      - file
hooks:
  BeforeInstall:
    - location: scripts/install_dependencies
      timeout: 300
      runas: root
    - location: /scripts/start_server
  ApplicationStop:
    - location: scripts/stop_server
      timeout: 60
  ValidateService:
`;

function errorOf(text: string, file = 'appspec.yml'): AppSpecError {
  try {
    parseAppSpec(text, file);
  } catch (err) {
    if (err instanceof AppSpecError) return err;
    throw err;
  }
  throw new Error('expected an AppSpecError');
}

describe('parseAppSpec', () => {
  it('parses the CodeDeploy sample shape', () => {
    const spec = parseAppSpec(SAMPLE, 'appspec.yml');
    expect(spec.files).toEqual([
      { source: 'index.html', destination: '/var/www/html' },
      { source: '', destination: '/opt/app' },
    ]);
    expect(spec.fileExistsBehavior).toBe('OVERWRITE');
    expect(spec.permissions).toEqual([
      {
        object: '/opt/app',
        pattern: '*.sh',
        except: ['skip.sh'],
        owner: 'www-data',
        mode: 0o755,
        acls: [],
        type: ['file'],
      },
    ]);
    expect(scriptsFor(spec, 'BeforeInstall')).toEqual([
      { location: 'scripts/install_dependencies', timeoutSeconds: 300, runas: 'root', sudo: false },
      { location: 'scripts/start_server', timeoutSeconds: 3600, sudo: false },
    ]);
    expect(scriptsFor(spec, 'ValidateService')).toEqual([]);
    expect(scriptsFor(spec, 'AfterInstall')).toEqual([]);
    expect(eventTimeoutSeconds(spec, 'BeforeInstall')).toBe(3900);
  });

  it('leaves fileExistsBehavior unset when the appspec does not say, so the deployment setting applies', () => {
    expect(parseAppSpec('version: 0.0\nos: linux\n', 'appspec.yml').fileExistsBehavior).toBeUndefined();
  });

  it('accepts quoted octal modes', () => {
    const spec = parseAppSpec(
      'version: 0.0\nos: linux\npermissions:\n  - object: /a\n    mode: "0640"\n',
      'appspec.yaml',
    );
    expect(spec.permissions[0]?.mode).toBe(0o640);
  });

  it('normalises the ACL forms the agent accepts to the short setfacl form', () => {
    const spec = parseAppSpec(
      'version: 0.0\nos: linux\npermissions:\n  - object: /a\n    acls: ["user:bob:rw", "default:group:ops:5", "bob:7", "m::rx"]\n',
      'appspec.yml',
    );
    expect(spec.permissions[0]?.acls).toEqual(['u:bob:rw-', 'd:g:ops:r-x', 'u:bob:rwx', 'm::r-x']);
  });

  it.each([
    [
      'an unknown top-level key',
      'version: 0.0\nos: linux\nhook:\n  BeforeInstall: []\n',
      3,
      'hook',
      'did you mean "hooks"?',
    ],
    [
      'an unknown event',
      'version: 0.0\nos: linux\nhooks:\n  BeforeInstal:\n    - location: a.sh\n',
      4,
      'hooks.BeforeInstal',
      'never runs its scripts; did you mean "BeforeInstall"?',
    ],
    [
      'a reserved event',
      'version: 0.0\nos: linux\nhooks:\n  Install:\n    - location: a.sh\n',
      4,
      'hooks.Install',
      'Install is performed by the agent itself',
    ],
    ['a duplicate key', 'version: 0.0\nos: linux\nos: linux\n', 2, 'os', 'written twice (again on line 3)'],
    [
      'a timeout above the maximum',
      'version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: a.sh\n    - location: b.sh\n      timeout: 4000\n',
      7,
      'hooks.BeforeInstall[1].timeout',
      '4000 s is over the 3600 s',
    ],
  ])('accepts %s as CodeDeploy does, with a warning', (_name, text, line, field, message) => {
    const { spec, warnings } = parseAppSpecWithWarnings(text, 'appspec.yml');
    expect(warnings).toEqual([{ line, field, message: expect.stringContaining(message) as string }]);
    expect(spec.hooks.BeforeInstall?.[1]?.timeoutSeconds ?? 3600).toBe(3600);
  });

  it.each([
    [
      'zero timeout',
      'version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: 0\n',
      'appspec.yml:6 hooks.AfterInstall[0].timeout: must be a whole number of seconds above 0',
    ],
    ['wrong version', 'version: 1.0\nos: linux\n', 'appspec.yml:1 version: must be 0.0'],
    ['missing os', 'version: 0.0\nfiles: []\n', 'appspec.yml:1 os: required (os: linux)'],
    ['windows', 'version: 0.0\nos: windows\n', 'appspec.yml:2 os: Windows hosts are not supported yet'],
    [
      'a quoted version (the agent compares with the number 0.0)',
      'version: "0.0"\nos: linux\n',
      'appspec.yml:1 version: must be the number 0.0, without quotes',
    ],
    [
      'missing location',
      'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - timeout: 10\n',
      'appspec.yml:5 hooks.ApplicationStart[0].location: required',
    ],
    [
      'script outside the bundle',
      'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: ../../bin/sh\n',
      "appspec.yml:5 hooks.ApplicationStart[0].location: must stay inside the bundle (no '..')",
    ],
    [
      'relative destination',
      'version: 0.0\nos: linux\nfiles:\n  - source: app\n    destination: var/www\n',
      'appspec.yml:5 files[0].destination: must be an absolute path',
    ],
    [
      'bad mode',
      'version: 0.0\nos: linux\npermissions:\n  - object: /a\n    mode: u+x\n',
      'appspec.yml:5 permissions[0].mode: must be 1-4 octal digits',
    ],
    [
      'bad file_exists_behavior',
      'version: 0.0\nos: linux\nfile_exists_behavior: REPLACE\n',
      'appspec.yml:3 file_exists_behavior: must be DISALLOW, OVERWRITE or RETAIN',
    ],
    ['syntax error', 'version: 0.0\nos: linux\nfiles: [\n', 'appspec.yml:3 yaml: not valid YAML: the "[" on this line'],
    ['empty file', '', 'appspec.yml:1 appspec: is empty'],
    [
      'a context key beside a missing type: the missing type is what is wrong',
      'version: 0.0\nos: linux\npermissions:\n  - object: /a\n    context:\n      role: object_r\n',
      'appspec.yml:6 permissions[0].context.type: required',
    ],
    [
      'runas with an option-looking value',
      'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: a.sh\n      runas: "-c"\n',
      'appspec.yml:6 hooks.ApplicationStart[0].runas: must be a user name',
    ],
  ])('rejects %s with file, line and field', (_name, text, expected) => {
    expect(errorOf(text).message.startsWith(expected), errorOf(text).message).toBe(true);
  });

  it('exposes the parts of the error separately for API responses', () => {
    const err = errorOf(
      'version: 0.0\nos: linux\nhooks:\n  BeforeInstall:\n    - location: a\n      timeout: -1\n',
      'x/appspec.yml',
    );
    expect(err.toJSON()).toEqual({
      file: 'x/appspec.yml',
      line: 6,
      field: 'hooks.BeforeInstall[0].timeout',
      detail: 'must be a whole number of seconds above 0 (at most 3600)',
      message:
        'x/appspec.yml:6 hooks.BeforeInstall[0].timeout: must be a whole number of seconds above 0 (at most 3600)',
    });
  });

  it('does not import Node built-ins, so the API server and browsers can load it', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = new URL('.', import.meta.url);
    for (const name of await readdir(dir)) {
      if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
      const source = await readFile(new URL(name, dir), 'utf8');
      expect(source, name).not.toMatch(/from ['"](node:|fs|path|os|child_process)/);
    }
  });
});
