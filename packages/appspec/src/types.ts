// The parsed form of an appspec.yml (EC2/on-premises flavour, codedeploy.md §3). Pure data, like the whole package:
// the API validates bundles with it at upload and the CLI before a push, so nothing here may touch the file system.
import type { FileExistsBehavior, HookEventName } from '@drover/contracts';

/** Per-script default and maximum, as in CodeDeploy (codedeploy.md §3.2). */
export const DEFAULT_HOOK_TIMEOUT_SECONDS = 3600;
export const MAX_HOOK_TIMEOUT_SECONDS = 3600;

export interface FileMapping {
  /** Relative to the bundle root, without a leading slash; '' means the whole bundle ("/" in the appspec). */
  source: string;
  /** Absolute, normalised path on the host. */
  destination: string;
}

export type PermissionObjectType = 'file' | 'directory';

export interface SelinuxContext {
  user?: string;
  type: string;
  range?: string;
}

export interface PermissionSpec {
  /** Absolute path on the host. */
  object: string;
  /** Glob relative to `object`; '**' (the default) matches everything. */
  pattern: string;
  except: string[];
  owner?: string;
  group?: string;
  /** Numeric mode, already converted from the octal digits written in the appspec. */
  mode?: number;
  acls: string[];
  context?: SelinuxContext;
  type: PermissionObjectType[];
}

export interface HookScript {
  /** Relative to the bundle root, without a leading slash. */
  location: string;
  timeoutSeconds: number;
  runas?: string;
  sudo: boolean;
}

export interface AppSpec {
  version: '0.0';
  os: 'linux';
  files: FileMapping[];
  /** Set only when the appspec says so; it then wins over the deployment's own setting. */
  fileExistsBehavior?: FileExistsBehavior;
  permissions: PermissionSpec[];
  hooks: Partial<Record<HookEventName, HookScript[]>>;
}

/**
 * Something CodeDeploy's agent would run without complaint but that almost certainly does not do what was meant
 * (a misspelt top-level key, a hook outside `hooks:`, a per-file `overwrite:`). Shown by `drover push`, the upload
 * answer and the console; never a reason to refuse the bundle.
 */
export interface AppSpecWarning {
  /** 1-based line of the key or value the warning is about. */
  line: number;
  /** Dotted path such as `files[0].overwrite` or `hook`. */
  field: string;
  message: string;
}

/** What the parser makes of an appspec it accepts. */
export interface ParsedAppSpec {
  spec: AppSpec;
  warnings: AppSpecWarning[];
}
