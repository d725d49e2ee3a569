// parseAppSpec: YAML text → AppSpec, or an AppSpecError naming file, line and field.
// Rules follow CodeDeploy's EC2/on-premises appspec (codedeploy.md §3); where CodeDeploy is silently lenient
// (unknown keys) we are strict, because a typo such as `hook:` would otherwise deploy without its scripts.
import { FileExistsBehavior, HOOK_EVENT_NAMES, type HookEventName } from '@drover/contracts';
import { LineCounter, parseDocument } from 'yaml';
import { AppSpecError } from './errors';
import { bundleRelativeSegments, normaliseAbsolute } from './paths';
import {
  DEFAULT_HOOK_TIMEOUT_SECONDS,
  MAX_HOOK_TIMEOUT_SECONDS,
  type AppSpec,
  type FileMapping,
  type HookScript,
  type PermissionObjectType,
  type PermissionSpec,
  type SelinuxContext,
} from './types';
import { Walker, type YNode } from './yaml-walker';

const TOP_LEVEL = ['version', 'os', 'files', 'file_exists_behavior', 'permissions', 'hooks'] as const;
const RESERVED_EVENTS = ['DownloadBundle', 'Install', 'BlockTraffic', 'AllowTraffic'];
// Conservative user-name syntax: runas goes into argv of su, never a shell, but a strict shape still keeps
// odd values (options such as "-c") out of it.
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

export function parseAppSpec(text: string, fileName: string): AppSpec {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
  // Duplicate keys are reported by Walker.entries instead: yaml points at the map, we point at the key.
  const walker: Walker = new Walker(fileName, lines); // explicit type: lets fail() narrow like a throw
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const line = syntaxError.linePos?.[0]?.line ?? 1;
    const detail = syntaxError.message.split('\n')[0] ?? 'invalid YAML';
    throw new AppSpecError({ file: fileName, line, field: 'yaml', detail });
  }
  const root = doc.contents as YNode;
  if (walker.isNull(root)) walker.fail(root, 'appspec', 'is empty');
  const top = walker.entries(root, '', TOP_LEVEL);
  const rootLine = walker.lineOf(root);

  const version = top.get('version');
  if (!version) walker.fail(root, 'version', 'required (must be 0.0)', rootLine);
  const versionValue = walker.scalar(version.value, 'version');
  if (versionValue !== 0 && versionValue !== '0.0') walker.fail(version.value, 'version', 'must be 0.0');

  const os = top.get('os');
  if (!os) walker.fail(root, 'os', 'required (must be linux)', rootLine);
  const osValue = walker.string(os.value, 'os');
  if (osValue !== 'linux') {
    walker.fail(os.value, 'os', `must be linux (drover-agent runs on Linux hosts; got "${osValue}")`);
  }

  const spec: AppSpec = { version: '0.0', os: 'linux', files: [], permissions: [], hooks: {} };
  const files = top.get('files');
  if (files && !walker.isNull(files.value)) {
    spec.files = walker.items(files.value, 'files').map((n, i) => parseFileMapping(walker, n, `files[${i}]`));
  }
  const feb = top.get('file_exists_behavior');
  if (feb) {
    const value = walker.string(feb.value, 'file_exists_behavior');
    const parsed = FileExistsBehavior.safeParse(value);
    if (!parsed.success) walker.fail(feb.value, 'file_exists_behavior', 'must be DISALLOW, OVERWRITE or RETAIN');
    spec.fileExistsBehavior = parsed.data;
  }
  const permissions = top.get('permissions');
  if (permissions && !walker.isNull(permissions.value)) {
    spec.permissions = walker
      .items(permissions.value, 'permissions')
      .map((n, i) => parsePermission(walker, n, `permissions[${i}]`));
  }
  const hooks = top.get('hooks');
  if (hooks && !walker.isNull(hooks.value)) spec.hooks = parseHooks(walker, hooks.value);
  return spec;
}

function parseFileMapping(w: Walker, node: YNode, field: string): FileMapping {
  const e = w.entries(node, field, ['source', 'destination']);
  const source = e.get('source');
  const destination = e.get('destination');
  if (!source) w.fail(node, `${field}.source`, 'required');
  if (!destination) w.fail(node, `${field}.destination`, 'required');
  const segments = bundleRelativeSegments(w.string(source.value, `${field}.source`));
  if (typeof segments === 'string') w.fail(source.value, `${field}.source`, segments);
  const dest = normaliseAbsolute(w.string(destination.value, `${field}.destination`));
  if (typeof dest !== 'string') w.fail(destination.value, `${field}.destination`, dest.error);
  return { source: segments.join('/'), destination: dest };
}

function parsePermission(w: Walker, node: YNode, field: string): PermissionSpec {
  const allowed = ['object', 'pattern', 'except', 'owner', 'group', 'mode', 'acls', 'context', 'type'];
  const e = w.entries(node, field, allowed);
  const object = e.get('object');
  if (!object) w.fail(node, `${field}.object`, 'required');
  const objectPath = normaliseAbsolute(w.string(object.value, `${field}.object`));
  if (typeof objectPath !== 'string') w.fail(object.value, `${field}.object`, objectPath.error);
  const spec: PermissionSpec = { object: objectPath, pattern: '**', except: [], acls: [], type: ['file', 'directory'] };

  const pattern = e.get('pattern');
  if (pattern) spec.pattern = w.string(pattern.value, `${field}.pattern`);
  const except = e.get('except');
  if (except && !w.isNull(except.value)) {
    spec.except = w.items(except.value, `${field}.except`, true).map((n, i) => w.string(n, `${field}.except[${i}]`));
  }
  for (const key of ['owner', 'group'] as const) {
    const entry = e.get(key);
    if (!entry) continue;
    const value = w.string(entry.value, `${field}.${key}`);
    if (!USER_NAME.test(value) && !/^\d+$/.test(value)) {
      w.fail(entry.value, `${field}.${key}`, 'must be a user/group name or numeric id');
    }
    spec[key] = value;
  }
  const mode = e.get('mode');
  if (mode) {
    // YAML reads `mode: 644` as the decimal number 644; CodeDeploy means the octal digits, so go via text.
    const digits = String(w.scalar(mode.value, `${field}.mode`));
    if (!/^[0-7]{1,4}$/.test(digits)) w.fail(mode.value, `${field}.mode`, 'must be 1-4 octal digits, e.g. "0644"');
    spec.mode = Number.parseInt(digits, 8);
  }
  const acls = e.get('acls');
  if (acls && !w.isNull(acls.value)) {
    spec.acls = w.items(acls.value, `${field}.acls`, true).map((n, i) => {
      const acl = w.string(n, `${field}.acls[${i}]`);
      if (!/^(d:)?[ugmo]:[^:]*:[rwxX-]{0,3}$/.test(acl)) {
        w.fail(n, `${field}.acls[${i}]`, 'must look like "u:bob:rw" (setfacl syntax; "d:" prefix for defaults)');
      }
      return acl;
    });
  }
  const context = e.get('context');
  if (context) spec.context = parseContext(w, context.value, `${field}.context`);
  const type = e.get('type');
  if (type) {
    const types = w.items(type.value, `${field}.type`, true).map((n, i) => {
      const t = w.string(n, `${field}.type[${i}]`);
      if (t !== 'file' && t !== 'directory') w.fail(n, `${field}.type[${i}]`, 'must be file or directory');
      return t as PermissionObjectType;
    });
    if (types.length === 0) w.fail(type.value, `${field}.type`, 'must name file, directory or both');
    spec.type = [...new Set(types)];
  }
  return spec;
}

function parseContext(w: Walker, node: YNode, field: string): SelinuxContext {
  const e = w.entries(node, field, ['user', 'name', 'type', 'range']);
  const type = e.get('type');
  if (!type) w.fail(node, `${field}.type`, 'required');
  const context: SelinuxContext = { type: w.string(type.value, `${field}.type`) };
  const user = e.get('user') ?? e.get('name');
  if (user) context.user = w.string(user.value, `${field}.user`);
  const range = e.get('range');
  if (range) context.range = w.string(range.value, `${field}.range`);
  return context;
}

function parseHooks(w: Walker, node: YNode): AppSpec['hooks'] {
  const hooks: AppSpec['hooks'] = {};
  for (const [name, { key, value }] of w.entries(node, 'hooks', null)) {
    const field = `hooks.${name}`;
    if (RESERVED_EVENTS.includes(name)) w.fail(key, field, `${name} is performed by the agent and cannot have scripts`);
    if (!(HOOK_EVENT_NAMES as readonly string[]).includes(name)) {
      w.fail(key, field, `unknown lifecycle event (expected one of ${HOOK_EVENT_NAMES.join(', ')})`);
    }
    // `ApplicationStop:` with nothing under it is common in templates; treat it as "no scripts".
    if (w.isNull(value)) continue;
    hooks[name as HookEventName] = w.items(value, field).map((n, i) => parseScript(w, n, `${field}[${i}]`));
  }
  return hooks;
}

function parseScript(w: Walker, node: YNode, field: string): HookScript {
  const e = w.entries(node, field, ['location', 'timeout', 'runas', 'sudo']);
  const location = e.get('location');
  if (!location) w.fail(node, `${field}.location`, 'required');
  const segments = bundleRelativeSegments(w.string(location.value, `${field}.location`));
  if (typeof segments === 'string') w.fail(location.value, `${field}.location`, segments);
  if (segments.length === 0) w.fail(location.value, `${field}.location`, 'must name a script file');
  const script: HookScript = {
    location: segments.join('/'),
    timeoutSeconds: DEFAULT_HOOK_TIMEOUT_SECONDS,
    sudo: false,
  };

  const timeout = e.get('timeout');
  if (timeout) {
    const raw = w.scalar(timeout.value, `${field}.timeout`);
    const seconds = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_HOOK_TIMEOUT_SECONDS) {
      w.fail(timeout.value, `${field}.timeout`, `must be between 1 and ${MAX_HOOK_TIMEOUT_SECONDS}`);
    }
    script.timeoutSeconds = seconds;
  }
  const runas = e.get('runas');
  if (runas) {
    const user = w.string(runas.value, `${field}.runas`);
    if (!USER_NAME.test(user)) w.fail(runas.value, `${field}.runas`, 'must be a user name');
    script.runas = user;
  }
  const sudo = e.get('sudo');
  if (sudo) {
    const value = w.scalar(sudo.value, `${field}.sudo`);
    if (typeof value !== 'boolean') w.fail(sudo.value, `${field}.sudo`, 'must be true or false');
    script.sudo = value;
  }
  return script;
}
