// The appspec corpus: one file per case in ./corpus (`<name>.yml.txt`), written for Drover in the patterns real repositories use (AWS's
// templates and sample bundles, tutorials, generated ECS/Lambda appspecs, CRLF files from Windows editors, broken
// indentation), and what every reader must make of it. The parser's own test, the CLI's push check, the API's upload
// check (zip and tgz) and the agent's revision store all run this one table, so they agree by construction.
//
// `accepted`: CodeDeploy's agent runs the file on Linux, so Drover must too; `warnings` lists every warning, in order.
// `refused`: the agent refuses it too (or it is a Windows/ECS/Lambda appspec); the message fragment and line are
// what the user sees. See docs/appspec.md for the rule behind each case.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HookEventName } from '@drover/contracts';

export interface CorpusWarning {
  line: number;
  field: string;
  /** A fragment of the message. */
  message: string;
}

export type CorpusExpectation =
  | {
      accepted: true;
      warnings: CorpusWarning[];
      /** The lifecycle events that get scripts, in the file's order. */
      runs: HookEventName[];
      /** When given: the files section as parsed. */
      files?: Array<{ source: string; destination: string }>;
    }
  | { refused: { line: number; field: string; message: string } };

export interface CorpusCase {
  /** The case's name; its file is `corpus/<name>.yml.txt` (not `.yml`, so formatters leave the bytes alone). */
  name: string;
  platform: 'linux' | 'windows' | 'ecs' | 'lambda';
  expected: CorpusExpectation;
}

export const APPSPEC_CORPUS_DIR = join(import.meta.dirname, 'corpus');

const ok = (
  runs: HookEventName[] = [],
  warnings: CorpusWarning[] = [],
  files?: Array<{ source: string; destination: string }>,
): CorpusExpectation => ({ accepted: true, warnings, runs, ...(files ? { files } : {}) });
const warn = (line: number, field: string, message: string): CorpusWarning => ({ line, field, message });
const refused = (line: number, field: string, message: string): CorpusExpectation => ({
  refused: { line, field, message },
});
const syntax = (line: number, message: string) => refused(line, 'yaml', message);

const IGNORED_TOP = 'not an appspec key, so CodeDeploy ignores it';
const NOT_RUN = 'not a lifecycle event, so CodeDeploy accepts it and never runs its scripts';
const NOT_READ = 'ignored: CodeDeploy does not read this key';
const WINDOWS = 'Windows hosts are not supported yet';
const ECS = 'this is an ECS appspec (Resources with TargetService): EC2/on-premises deployments need os: linux';
const LAMBDA =
  'this is a Lambda appspec (Resources with a Lambda function): EC2/on-premises deployments need os: linux';
const ALL_EVENTS: HookEventName[] = [
  'BeforeBlockTraffic',
  'AfterBlockTraffic',
  'ApplicationStop',
  'BeforeInstall',
  'AfterInstall',
  'ApplicationStart',
  'ValidateService',
  'BeforeAllowTraffic',
  'AfterAllowTraffic',
];

const linux: Record<string, CorpusExpectation> = {
  // Accepted as they are.
  'linux-sample-web': ok(
    ['BeforeInstall', 'ApplicationStop'],
    [],
    [{ source: 'index.html', destination: '/var/www/html' }],
  ),
  'linux-node-pm2': ok(['ApplicationStop', 'BeforeInstall', 'AfterInstall', 'ApplicationStart', 'ValidateService']),
  'linux-template-comments': ok(['BeforeInstall', 'AfterInstall'], [], [{ source: '', destination: '/var/www/site' }]),
  'linux-leading-slash-locations': ok(['ApplicationStop', 'ApplicationStart']),
  'linux-permissions-full': ok(['AfterInstall']),
  'linux-empty-hooks-template': ok(['AfterInstall']),
  'linux-files-only': ok([], [], [{ source: 'build', destination: '/usr/share/nginx/html' }]),
  'linux-minimal': ok(),
  'linux-four-space-indent': ok(ALL_EVENTS),
  'linux-compact-sequences': ok(['AfterInstall', 'ApplicationStart']),
  'linux-flow-style': ok(['ApplicationStart'], [], [{ source: '', destination: '/srv/wiki' }]),
  'linux-json-format': ok(['AfterInstall'], [], [{ source: '', destination: '/opt/reports' }]),
  'linux-crlf-basic': ok(['BeforeInstall', 'ApplicationStart'], [], [{ source: '', destination: '/var/www/portal' }]),
  'linux-utf8-bom': ok(['ApplicationStart']),
  'linux-numeric-looking-paths': ok(
    ['AfterInstall'],
    [],
    [
      { source: '00010358', destination: '/data/batches' },
      { source: '2024.10', destination: '/opt/releases/2024.10' },
    ],
  ),
  'linux-quoted-values': ok(['ApplicationStart'], [], [{ source: '', destination: '/var/app' }]),
  'linux-sudo-yes': ok(['AfterInstall']),
  'linux-file-exists-behavior': ok(['AfterInstall']),
  'linux-keys-reordered': ok(['ApplicationStart']),
  'linux-document-markers': ok([], [], [{ source: 'dist', destination: '/var/www/dashboard' }]),
  'linux-blank-lines': ok(['ApplicationStart'], [], [{ source: '', destination: '/srv/blog' }]),
  'linux-several-files-one-destination': ok(['AfterInstall']),
  'linux-mode-quoted-zero': ok(),
  'linux-acl-long-forms': ok(),
  'linux-version-integer': ok(),
  'linux-empty-optional-values': ok(['ApplicationStart'], [], []),

  // Accepted, with a warning for what CodeDeploy silently ignores.
  'warn-files-overwrite': ok(
    ['AfterInstall'],
    [warn(6, 'files[0].overwrite', 'no per-file overwrite; set file_exists_behavior: OVERWRITE')],
  ),
  'warn-files-mode-owner': ok(
    [],
    [
      warn(6, 'files[0].mode', 'set mode under permissions:'),
      warn(7, 'files[0].owner', 'set owner under permissions:'),
    ],
  ),
  'warn-file-instead-of-files': ok(['ApplicationStart'], [warn(3, 'file', `${IGNORED_TOP}`)], []),
  'warn-hook-instead-of-hooks': ok([], [warn(6, 'hook', 'did you mean "hooks"?')]),
  'warn-hooks-capitalised': ok([], [warn(6, 'Hooks', 'did you mean "hooks"?')]),
  'warn-hook-at-top-level': ok(['AfterInstall'], [warn(9, 'ApplicationStart', 'a lifecycle event at the top level')]),
  'warn-custom-event': ok(
    ['ApplicationStop', 'BeforeInstall', 'ApplicationStart'],
    [warn(10, 'hooks.CustomEvent', NOT_RUN)],
  ),
  'warn-event-with-space': ok(['ApplicationStart'], [warn(7, 'hooks.Before Install', 'did you mean "BeforeInstall"?')]),
  'warn-event-lowercase': ok(
    [],
    [
      warn(4, 'hooks.beforeInstall', 'did you mean "BeforeInstall"?'),
      warn(6, 'hooks.applicationStart', 'did you mean "ApplicationStart"?'),
    ],
  ),
  'warn-reserved-install': ok(
    ['AfterInstall'],
    [warn(4, 'hooks.Install', 'performed by the agent itself; CodeDeploy never runs scripts listed under it')],
  ),
  'warn-duplicate-hooks': ok(['ApplicationStart'], [warn(3, 'hooks', 'written twice (again on line 9)')]),
  'warn-duplicate-event': ok(['AfterInstall'], [warn(4, 'hooks.AfterInstall', 'the later one wins')]),
  'warn-unknown-top-level-keys': ok(
    [],
    [
      warn(3, 'name', 'not an appspec key; CodeDeploy ignores it'),
      warn(4, 'description', 'not an appspec key; CodeDeploy ignores it'),
    ],
  ),
  'warn-context-extra-key': ok([], [warn(7, 'permissions[0].context.role', NOT_READ)]),
  'warn-mode-leading-zero': ok([], [warn(6, 'permissions[0].mode', 'reads an unquoted 0755 as an octal number')]),
  'warn-timeout-over-limit': ok(
    ['AfterInstall'],
    [warn(6, 'hooks.AfterInstall[0].timeout', 'over the 3600 s CodeDeploy allows')],
  ),
  'warn-script-runAs': ok(['ApplicationStart'], [warn(6, 'hooks.ApplicationStart[0].runAs', 'did you mean "runas"?')]),
  'warn-sudo-quoted': ok(
    ['ApplicationStart'],
    [warn(6, 'hooks.ApplicationStart[0].sudo', "CodeDeploy's agent treats it as true")],
  ),
  'warn-permission-unknown-key': ok([], [warn(6, 'permissions[0].recursive', NOT_READ)]),
  'warn-type-empty': ok([], [warn(6, 'permissions[0].type', 'applies to nothing')]),
  'warn-permission-singular': ok([], [warn(6, 'permission', 'did you mean "permissions"?')]),
  'warn-file-exists-typo': ok([], [warn(6, 'file_exist_behavior', 'did you mean "file_exists_behavior"?')]),
  'warn-validate-services': ok(
    ['ApplicationStart'],
    [warn(6, 'hooks.ValidateServices', 'did you mean "ValidateService"?')],
  ),
  'warn-crlf-overwrite': ok(['ApplicationStart'], [warn(7, 'files[0].overwrite', 'no per-file overwrite')]),
  'warn-second-document': ok(
    [],
    [warn(7, 'yaml', 'CodeDeploy reads only the first one')],
    [{ source: '', destination: '/opt/first' }],
  ),

  // Refused by the agent as well.
  'refuse-version-0.1': refused(1, 'version', 'must be 0.0'),
  'refuse-version-quoted': refused(1, 'version', 'must be the number 0.0, without quotes'),
  'refuse-version-missing': refused(1, 'version', 'required'),
  'refuse-os-missing': refused(1, 'os', 'required (os: linux)'),
  'refuse-os-capitalised': refused(2, 'os', 'must be linux (got "Linux"'),
  'refuse-destination-commented-out': refused(4, 'files[0].destination', 'required'),
  'refuse-source-capitalised': refused(4, 'files[0].source', 'required (found "Source" here'),
  'refuse-script-without-location': refused(6, 'hooks.ApplicationStart[1].location', 'required'),
  'refuse-script-as-string': refused(5, 'hooks.AfterInstall[0]', 'must be a mapping such as "- location:'),
  'refuse-event-not-a-list': refused(4, 'hooks.ApplicationStart', 'must be a list'),
  'refuse-hooks-as-list': refused(4, 'hooks', 'must be a mapping'),
  'refuse-timeout-zero': refused(6, 'hooks.AfterInstall[0].timeout', 'above 0'),
  'refuse-timeout-words': refused(6, 'hooks.AfterInstall[0].timeout', 'whole number of seconds'),
  'refuse-file-exists-lowercase': refused(6, 'file_exists_behavior', 'must be DISALLOW, OVERWRITE or RETAIN'),
  'refuse-permission-type-typo': refused(6, 'permissions[0].type[0]', 'must be file or directory'),
  'refuse-mode-not-octal': refused(5, 'permissions[0].mode', 'octal digits'),
  'refuse-context-without-type': refused(6, 'permissions[0].context.type', 'required'),
  'refuse-type-not-a-list': refused(5, 'permissions[0].type', 'must be a list'),
  'refuse-acl-base-entry': refused(6, 'permissions[0].acls[0]', 'base entries (no name) with mode:'),
  'refuse-empty': refused(1, 'appspec', 'is empty'),
  'refuse-comments-only': refused(1, 'appspec', 'is empty'),
  'refuse-top-level-list': refused(1, 'appspec', 'must be a mapping'),
  'refuse-custom-event-without-location': refused(5, 'hooks.CustomEvent[0].location', 'required'),
  'refuse-permission-without-object': refused(4, 'permissions[0].object', 'required'),

  // Not YAML: the line of the mistake, in plain words.
  'syntax-tab-indent': syntax(7, 'a tab is used for indentation'),
  'syntax-unclosed-flow': syntax(3, 'the "[" on this line is never closed'),
  'syntax-unclosed-quote': syntax(5, 'the " opened on this line is never closed'),
  'syntax-deeper-line': syntax(3, 'indented deeper than the line above'),
  'syntax-misaligned-list-item': syntax(7, 'does not line up with the items above it'),
  'syntax-misaligned-key': syntax(5, 'does not line up with the keys of the list item above it'),
  'syntax-crlf': syntax(9, 'does not line up with the keys of the list item above it'),
  'syntax-reserved-character': syntax(6, 'cannot start with reserved character @; put the value in quotes'),
  'syntax-two-keys-one-line': syntax(4, 'a second "key: value" on the same line'),
  'syntax-missing-colon': syntax(5, 'has no ":" after its key'),
};

const others: Array<[string, CorpusCase['platform'], CorpusExpectation]> = [
  ['windows-iis', 'windows', refused(2, 'os', WINDOWS)],
  ['windows-crlf-powershell', 'windows', refused(3, 'os', WINDOWS)],
  ['windows-custom-event', 'windows', refused(2, 'os', WINDOWS)],
  ['ecs-service', 'ecs', refused(2, 'Resources', ECS)],
  ['ecs-with-hooks', 'ecs', refused(4, 'Resources', ECS)],
  ['lambda-alias', 'lambda', refused(2, 'Resources', LAMBDA)],
  ['lambda-json', 'lambda', refused(3, 'Resources', LAMBDA)],
];

export const APPSPEC_CORPUS: CorpusCase[] = [
  ...Object.entries(linux).map(([name, expected]) => ({ name, platform: 'linux' as const, expected })),
  ...others.map(([name, platform, expected]) => ({ name, platform, expected })),
];

/** The file's bytes as text, exactly as stored (CRLF and BOM included). */
export function corpusText(c: CorpusCase): string {
  return readFileSync(join(APPSPEC_CORPUS_DIR, `${c.name}.yml.txt`), 'utf8');
}

/** Every case name in the corpus directory, so a file without a manifest entry fails the tests, not skipped. */
export function corpusNames(): string[] {
  return readdirSync(APPSPEC_CORPUS_DIR)
    .filter((f) => f.endsWith('.yml.txt'))
    .map((f) => f.slice(0, -'.yml.txt'.length))
    .sort();
}
