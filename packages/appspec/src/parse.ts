// parseAppSpec: YAML text → AppSpec (and warnings), or an AppSpecError naming file, line and field.
//
// The rule for every decision (docs/appspec.md has the table): accept what CodeDeploy's agent runs on Linux
// (AG: aws-codedeploy-agent's application_specification/*.rb, codedeploy.md §3.1), refuse what it refuses, and warn
// where it silently does something the author almost certainly did not mean: keys it ignores (a misspelt `file:`,
// `overwrite:` inside a files entry, a hook indented at the top level), hooks it never runs, a key written twice.
// Drover refuses a little more than the agent only where a value would reach outside the bundle or the host's
// namespaces (`..` in paths, relative destinations, option-looking user names) and for Windows appspecs.
import { FileExistsBehavior, HOOK_EVENT_NAMES, type HookEventName } from '@drover/contracts';
import { LineCounter, isScalar, parseAllDocuments } from 'yaml';
import { AppSpecError } from './errors';
import { bundleRelativeSegments, normaliseAbsolute } from './paths';
import {
  DEFAULT_HOOK_TIMEOUT_SECONDS,
  MAX_HOOK_TIMEOUT_SECONDS,
  type AppSpec,
  type FileMapping,
  type HookScript,
  type ParsedAppSpec,
  type PermissionObjectType,
  type PermissionSpec,
  type SelinuxContext,
} from './types';
import { describeSyntaxError } from './yaml-syntax';
import { Walker, type Entry, type YNode } from './yaml-walker';

const TOP_LEVEL = ['version', 'os', 'files', 'file_exists_behavior', 'permissions', 'hooks'] as const;
const RESERVED_EVENTS = ['DownloadBundle', 'Install', 'BlockTraffic', 'AllowTraffic'];
const FILE_KEYS = ['source', 'destination'];
const PERMISSION_KEYS = ['object', 'pattern', 'except', 'owner', 'group', 'mode', 'acls', 'context', 'type'];
const CONTEXT_KEYS = ['name', 'user', 'type', 'range'];
const SCRIPT_KEYS = ['location', 'timeout', 'runas', 'sudo'];
// Conservative user-name syntax: runas goes into argv of su, never a shell, but a strict shape still keeps
// odd values (options such as "-c") out of it.
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;
const DOCS = 'see docs/appspec.md';

/** The appspec, or an AppSpecError; warnings are dropped (the agent's view). */
export function parseAppSpec(text: string, fileName: string): AppSpec {
  return parseAppSpecWithWarnings(text, fileName).spec;
}

/** The appspec with the warnings that `drover push`, the upload answer and the console show. */
export function parseAppSpecWithWarnings(text: string, fileName: string): ParsedAppSpec {
  const lines = new LineCounter();
  // Duplicate keys are handled by Walker.entries instead (the last one wins, as in the agent, with a warning).
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  const w: Walker = new Walker(fileName, lines); // explicit type: lets fail() narrow like a throw
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (doc && doc.errors.length > 0) {
    const { line, detail } = describeSyntaxError(doc, text, lines);
    throw new AppSpecError({ file: fileName, line, field: 'yaml', detail: `not valid YAML: ${detail}` });
  }
  const second = Array.isArray(docs) ? docs[1] : undefined;
  if (second) {
    // The agent's YAML.load reads the first document of a stream and stops there.
    w.warn(second.contents, 'yaml', 'a second YAML document ("---"); CodeDeploy reads only the first one');
  }
  const root = doc?.contents as YNode;
  if (w.isNull(root)) w.fail(root, 'appspec', 'is empty (an appspec needs at least version: 0.0 and os: linux)');
  if (isScalar(root)) w.fail(root, 'appspec', 'must be a mapping of keys such as version, os, files and hooks');
  const top = w.entries(root, '');
  const rootLine = w.lineOf(root);

  const resources = [...top.entries()].find(([name]) => name.toLowerCase() === 'resources');
  if (resources && !top.has('os')) {
    const [name, entry] = resources;
    w.fail(
      entry.key,
      name,
      `${otherPlatform(entry.value)}: EC2/on-premises deployments need os: linux and files/hooks (${DOCS})`,
    );
  }

  const version = top.get('version');
  if (!version) w.fail(root, 'version', 'required (version: 0.0)', rootLine);
  const versionValue = w.scalar(version.value, 'version');
  // AG compares with the number 0.0: `version: "0.0"` (a string) is refused by the agent, `version: 0` is not.
  if (versionValue !== 0) {
    const quoted = typeof versionValue === 'string' && /^0(\.0*)?$/.test(versionValue.trim());
    w.fail(
      version.value,
      'version',
      quoted ? 'must be the number 0.0, without quotes (CodeDeploy\'s agent refuses the string "0.0")' : 'must be 0.0',
    );
  }

  const os = top.get('os');
  if (!os) w.fail(root, 'os', 'required (os: linux)', rootLine);
  const osValue = w.text(os.value, 'os');
  if (osValue === 'windows') {
    w.fail(os.value, 'os', 'Windows hosts are not supported yet: drover-agent runs on Linux (os: linux)');
  }
  if (osValue !== 'linux') w.fail(os.value, 'os', `must be linux (got "${osValue}"; the value is case-sensitive)`);

  warnUnknownTopLevel(w, top);

  const spec: AppSpec = { version: '0.0', os: 'linux', files: [], permissions: [], hooks: {} };
  const hooks = top.get('hooks');
  if (hooks && !w.isNull(hooks.value)) spec.hooks = parseHooks(w, hooks.value);
  const files = top.get('files');
  if (files && !w.isNull(files.value)) {
    spec.files = w
      .items(files.value, 'files', '- source: …, destination: …')
      .map((n, i) => parseFileMapping(w, n, `files[${i}]`));
  }
  const permissions = top.get('permissions');
  if (permissions && !w.isNull(permissions.value)) {
    spec.permissions = w
      .items(permissions.value, 'permissions', '- object: …')
      .map((n, i) => parsePermission(w, n, `permissions[${i}]`));
  }
  const feb = top.get('file_exists_behavior');
  if (feb && !w.isNull(feb.value)) {
    const value = w.text(feb.value, 'file_exists_behavior');
    const parsed = FileExistsBehavior.safeParse(value);
    if (!parsed.success) w.fail(feb.value, 'file_exists_behavior', 'must be DISALLOW, OVERWRITE or RETAIN');
    spec.fileExistsBehavior = parsed.data;
  }
  return { spec, warnings: w.warnings };
}

function otherPlatform(resources: YNode): string {
  const text = JSON.stringify(resources?.toJSON() ?? null);
  if (/TargetService|AWS::ECS::Service/.test(text)) return 'this is an ECS appspec (Resources with TargetService)';
  if (/AWS::Lambda::Function|LambdaFunction/.test(text))
    return 'this is a Lambda appspec (Resources with a Lambda function)';
  return 'this looks like an ECS or Lambda appspec (Resources)';
}

function warnUnknownTopLevel(w: Walker, top: Map<string, Entry>): void {
  for (const [name, { key }] of top) {
    if ((TOP_LEVEL as readonly string[]).includes(name)) continue;
    const event = closest(name, [...HOOK_EVENT_NAMES, ...RESERVED_EVENTS], 0);
    if (event) {
      w.warn(
        key,
        name,
        `a lifecycle event at the top level: CodeDeploy reads hooks only under "hooks:", so it ignores this and ` +
          `never runs its scripts; indent it under hooks:`,
      );
      continue;
    }
    if (name.toLowerCase() === 'resources') {
      w.warn(key, name, `${otherPlatform(top.get(name)?.value)}; CodeDeploy ignores it in an EC2/on-premises appspec`);
      continue;
    }
    const meant = closest(name, TOP_LEVEL, 2);
    w.warn(
      key,
      name,
      meant
        ? `not an appspec key, so CodeDeploy ignores it and deploys as if it were absent; did you mean "${meant}"?`
        : `not an appspec key; CodeDeploy ignores it (appspec keys: ${TOP_LEVEL.join(', ')})`,
    );
  }
}

/** A candidate equal to `name` ignoring case, or within `distance` edits of it (either way "a misspelling"). */
function closest(name: string, candidates: readonly string[], distance: number): string | undefined {
  const lower = name.toLowerCase();
  const exact = candidates.find((c) => c.toLowerCase() === lower);
  if (exact) return exact;
  if (distance === 0) return undefined;
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d <= distance && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Keys the agent does not read: ignored, and warned about, with a word on what was probably meant. */
function warnUnknownKeys(
  w: Walker,
  e: Map<string, Entry>,
  field: string,
  known: readonly string[],
  advice: (name: string) => string | undefined = () => undefined,
): void {
  for (const [name, { key }] of e) {
    if (known.includes(name)) continue;
    const meant = closest(name, known, 2);
    const hint = advice(name) ?? (meant ? `did you mean "${meant}"?` : `${field} entries have ${known.join(', ')}`);
    w.warn(key, `${field}.${name}`, `ignored: CodeDeploy does not read this key; ${hint}`);
  }
}

/** A required key is missing: say so, pointing at a near-miss key when there is one (`Source:`, `destiantion:`). */
function required(w: Walker, node: YNode, e: Map<string, Entry>, field: string, name: string): never {
  const nearMiss = [...e.keys()].find((k) => k !== name && closest(k, [name], 2));
  const found = nearMiss ? e.get(nearMiss) : undefined;
  if (nearMiss && found) {
    w.fail(found.key, `${field}.${name}`, `required (found "${nearMiss}" here; keys are case-sensitive)`);
  }
  return w.fail(node, `${field}.${name}`, 'required');
}

function parseFileMapping(w: Walker, node: YNode, field: string): FileMapping {
  const e = w.entries(node, field);
  warnUnknownKeys(w, e, field, FILE_KEYS, (name) => {
    if (name === 'overwrite') {
      return "there is no per-file overwrite; set file_exists_behavior: OVERWRITE at the top level (or the deployment's fileExistsBehavior)";
    }
    if (['mode', 'owner', 'group'].includes(name)) return `set ${name} under permissions:, not in files`;
    return undefined;
  });
  const source = e.get('source');
  const destination = e.get('destination');
  if (!source || w.isNull(source.value)) required(w, node, e, field, 'source');
  if (!destination || w.isNull(destination.value)) required(w, node, e, field, 'destination');
  const segments = bundleRelativeSegments(w.text(source.value, `${field}.source`));
  if (typeof segments === 'string') w.fail(source.value, `${field}.source`, segments);
  const dest = normaliseAbsolute(w.text(destination.value, `${field}.destination`));
  if (typeof dest !== 'string') w.fail(destination.value, `${field}.destination`, dest.error);
  return { source: segments.join('/'), destination: dest };
}

function parsePermission(w: Walker, node: YNode, field: string): PermissionSpec {
  const e = w.entries(node, field);
  warnUnknownKeys(w, e, field, PERMISSION_KEYS);
  const object = e.get('object');
  if (!object || w.isNull(object.value)) required(w, node, e, field, 'object');
  const objectPath = normaliseAbsolute(w.text(object.value, `${field}.object`).trim());
  if (typeof objectPath !== 'string') w.fail(object.value, `${field}.object`, objectPath.error);
  const spec: PermissionSpec = { object: objectPath, pattern: '**', except: [], acls: [], type: ['file', 'directory'] };
  const present = (name: string): Entry | undefined => {
    const entry = e.get(name);
    return entry && !w.isNull(entry.value) ? entry : undefined;
  };

  const pattern = present('pattern');
  if (pattern) spec.pattern = w.text(pattern.value, `${field}.pattern`);
  const except = present('except');
  if (except) {
    spec.except = w
      .items(except.value, `${field}.except`, 'except: [name.ext]')
      .map((n, i) => w.text(n, `${field}.except[${i}]`));
  }
  for (const name of ['owner', 'group'] as const) {
    const entry = present(name);
    if (!entry) continue;
    const value = w.text(entry.value, `${field}.${name}`);
    if (!USER_NAME.test(value) && !/^\d+$/.test(value)) {
      w.fail(entry.value, `${field}.${name}`, 'must be a user/group name or numeric id');
    }
    spec[name] = value;
  }
  const mode = present('mode');
  if (mode) spec.mode = parseMode(w, mode.value, `${field}.mode`);
  const acls = present('acls');
  if (acls) {
    spec.acls = w
      .items(acls.value, `${field}.acls`, 'acls: ["u:bob:rw"]')
      .map((n, i) => parseAce(w, n, `${field}.acls[${i}]`));
  }
  const context = present('context');
  if (context) spec.context = parseContext(w, context.value, `${field}.context`);
  const type = present('type');
  if (type) {
    const types = w.items(type.value, `${field}.type`, 'type: [file] or [directory] or both').map((n, i) => {
      const t = w.text(n, `${field}.type[${i}]`);
      if (t !== 'file' && t !== 'directory') w.fail(n, `${field}.type[${i}]`, 'must be file or directory');
      return t as PermissionObjectType;
    });
    if (types.length === 0) {
      w.warn(type.value, `${field}.type`, 'empty, so this permission applies to nothing (as in CodeDeploy)');
    }
    spec.type = [...new Set(types)];
  }
  return spec;
}

/** Octal digits as written (AG mode_info.rb: one to four digits 0-7, padded to three). */
function parseMode(w: Walker, node: YNode, field: string): number {
  const digits = w.text(node, field).trim();
  if (!/^[0-7]{1,4}$/.test(digits)) w.fail(node, field, 'must be 1-4 octal digits, e.g. 644 or "0644"');
  if (!w.isQuoted(node) && digits.length > 1 && digits.startsWith('0')) {
    w.warn(
      node,
      field,
      `CodeDeploy's Ruby agent reads an unquoted ${digits} as an octal number (${Number.parseInt(digits, 8)}) and so ` +
        `sets another mode or refuses it; Drover applies ${digits.replace(/^0+(?=.)/, '')}. Write "${digits}" (quoted) ` +
        'or drop the leading zero to mean the same everywhere',
    );
  }
  return Number.parseInt(digits, 8);
}

/**
 * One ACL entry as AG ace_info.rb reads it: `[d[efault]:][u[ser]|g[roup]|m[ask]|o[ther]:]name:perms`, perms as
 * letters from rwx- or one octal digit; returned in the short form setfacl takes, e.g. `d:u:bob:rw-`.
 */
function parseAce(w: Walker, node: YNode, field: string): string {
  const raw = w.text(node, field);
  const bad = (why: string): never => w.fail(node, field, `${why} (setfacl syntax, e.g. "u:bob:rw" or "d:g:staff:rx")`);
  const parts = raw.split(':').reverse();
  if (parts.length < 2 || parts.length > 4) bad('must have 2 to 4 parts separated by ":"');
  let isDefault = false;
  let type: string | undefined;
  let name = '';
  const word = (s: string | undefined, short: string, long: string) => s === short || s === long;
  if (parts.length === 4) {
    if (!word(parts[3], 'd', 'default')) bad('the first of four parts must be d or default');
    isDefault = true;
  }
  if (parts.length >= 3) {
    const t = parts[2];
    if (word(t, 'd', 'default')) {
      if (isDefault) bad('default given twice');
      isDefault = true;
    } else if (word(t, 'm', 'mask')) type = 'm';
    else if (word(t, 'o', 'other')) type = 'o';
    else if (word(t, 'g', 'group')) type = 'g';
    else if (word(t, 'u', 'user')) type = 'u';
    else bad(`unknown entry type "${t}"`);
  }
  const who = parts[1] ?? '';
  if (word(who, 'm', 'mask')) {
    if (type === undefined) type = 'm';
    else name = 'mask';
  } else if (word(who, 'o', 'other')) {
    if (type === undefined) type = 'o';
    else name = 'other';
  } else {
    if (type === undefined) type = 'u';
    name = who;
  }
  if ((type === 'm' || type === 'o') && name !== '') bad('mask and other entries take no name');
  if (!isDefault && type !== 'm' && name === '') bad('set the base entries (no name) with mode:, not acls');
  const perms = parts[0] ?? '';
  let rwx: string;
  if (/^[0-7]$/.test(perms)) {
    const n = Number(perms);
    rwx = `${n & 4 ? 'r' : '-'}${n & 2 ? 'w' : '-'}${n & 1 ? 'x' : '-'}`;
  } else {
    const invalid = [...perms].find((c) => !'rwx-'.includes(c));
    if (invalid !== undefined) bad(`invalid permission character "${invalid}"`);
    rwx = `${perms.includes('r') ? 'r' : '-'}${perms.includes('w') ? 'w' : '-'}${perms.includes('x') ? 'x' : '-'}`;
  }
  return `${isDefault ? 'd:' : ''}${type}:${name}:${rwx}`;
}

function parseContext(w: Walker, node: YNode, field: string): SelinuxContext {
  const e = w.entries(node, field);
  warnUnknownKeys(w, e, field, CONTEXT_KEYS, (name) =>
    name === 'role' ? 'the agent sets no SELinux role; context has name, type and range' : undefined,
  );
  const type = e.get('type');
  if (!type || w.isNull(type.value)) required(w, node, e, field, 'type');
  const context: SelinuxContext = { type: w.text(type.value, `${field}.type`) };
  const user = e.get('name') ?? e.get('user');
  if (user && !w.isNull(user.value)) context.user = w.text(user.value, `${field}.name`);
  const range = e.get('range');
  if (range && !w.isNull(range.value)) context.range = w.text(range.value, `${field}.range`);
  return context;
}

function parseHooks(w: Walker, node: YNode): AppSpec['hooks'] {
  const hooks: AppSpec['hooks'] = {};
  for (const [name, { key, value }] of w.entries(node, 'hooks')) {
    const field = `hooks.${name}`;
    const runs = (HOOK_EVENT_NAMES as readonly string[]).includes(name);
    if (RESERVED_EVENTS.includes(name)) {
      w.warn(key, field, `${name} is performed by the agent itself; CodeDeploy never runs scripts listed under it`);
    } else if (!runs) {
      const meant = closest(name, HOOK_EVENT_NAMES, 3);
      w.warn(
        key,
        field,
        `not a lifecycle event, so CodeDeploy accepts it and never runs its scripts${meant ? `; did you mean "${meant}"?` : ''}`,
      );
    }
    // `ApplicationStop:` with nothing under it is common in templates: no scripts (AG: "Ignore empty hooks").
    if (w.isNull(value)) continue;
    const scripts = w
      .items(value, field, '- location: scripts/x.sh')
      .map((n, i) => parseScript(w, n, `${field}[${i}]`, runs));
    if (runs) hooks[name as HookEventName] = scripts;
  }
  return hooks;
}

/**
 * One script. The agent checks every hook's scripts, run or not (location present, timeout above 0); the rest
 * (paths inside the bundle, user names) only matters for scripts that run.
 */
function parseScript(w: Walker, node: YNode, field: string, runs: boolean): HookScript {
  if (isScalar(node)) w.fail(node, field, 'must be a mapping such as "- location: scripts/start.sh"');
  const e = w.entries(node, field);
  warnUnknownKeys(w, e, field, SCRIPT_KEYS);
  const location = e.get('location');
  if (!location || w.isNull(location.value)) required(w, node, e, field, 'location');
  const locationText = w.text(location.value, `${field}.location`).trim(); // AG: location.to_s.strip
  if (locationText === '') w.fail(location.value, `${field}.location`, 'must not be empty');
  const segments = bundleRelativeSegments(locationText);
  if (runs && typeof segments === 'string') w.fail(location.value, `${field}.location`, segments);
  if (runs && segments.length === 0) w.fail(location.value, `${field}.location`, 'must name a script file');
  const script: HookScript = {
    location: typeof segments === 'string' ? locationText : segments.join('/'),
    timeoutSeconds: DEFAULT_HOOK_TIMEOUT_SECONDS,
    sudo: false,
  };

  const timeout = e.get('timeout');
  if (timeout && !w.isNull(timeout.value)) {
    const seconds = rubyInteger(w.scalar(timeout.value, `${field}.timeout`));
    if (seconds === undefined || seconds < 1) {
      w.fail(timeout.value, `${field}.timeout`, 'must be a whole number of seconds above 0 (at most 3600)');
    }
    if (seconds > MAX_HOOK_TIMEOUT_SECONDS) {
      w.warn(
        timeout.value,
        `${field}.timeout`,
        `${seconds} s is over the ${MAX_HOOK_TIMEOUT_SECONDS} s CodeDeploy allows a lifecycle event; Drover waits ` +
          `${MAX_HOOK_TIMEOUT_SECONDS} s`,
      );
    }
    script.timeoutSeconds = Math.min(seconds, MAX_HOOK_TIMEOUT_SECONDS);
  }
  const runas = e.get('runas');
  if (runas && !w.isNull(runas.value)) {
    const user = w.text(runas.value, `${field}.runas`).trim(); // AG: runas.to_s.strip
    if (runs && !USER_NAME.test(user)) w.fail(runas.value, `${field}.runas`, 'must be a user name');
    script.runas = user;
  }
  const sudo = e.get('sudo');
  if (sudo && !w.isNull(sudo.value)) script.sudo = sudoFlag(w, sudo.value, `${field}.sudo`);
  return script;
}

/** Ruby's Integer/Float/String#to_i, which the agent applies to timeout: "300" → 300, "30s" → 30, "x" → 0. */
function rubyInteger(value: string | number | boolean): number | undefined {
  if (typeof value === 'boolean') return undefined; // true.to_i raises in the agent
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  const m = /^\s*([+-]?\d[\d_]*)/.exec(value);
  return m?.[1] ? Number(m[1].replaceAll('_', '')) : 0;
}

/**
 * The agent reads sudo as Ruby truthiness after YAML 1.1 loading: unquoted yes/no/on/off are booleans there, and
 * any other value (a quoted "false" included) counts as true.
 */
function sudoFlag(w: Walker, node: YNode, field: string): boolean {
  const value = w.scalar(node, field);
  if (typeof value === 'boolean') return value;
  if (!w.isQuoted(node) && typeof value === 'string') {
    if (/^(y|Y|yes|Yes|YES|on|On|ON)$/.test(value)) return true;
    if (/^(n|N|no|No|NO|off|Off|OFF)$/.test(value)) return false;
  }
  w.warn(
    node,
    field,
    `${JSON.stringify(value)} is not true or false; CodeDeploy's agent treats it as true, and so does Drover`,
  );
  return true;
}
