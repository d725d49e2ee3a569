// @drover/appspec: the appspec's parser and types, and the rule that finds it in a bundle. Pure (no I/O): the agent,
// the API's upload check and the CLI's push check read files and archives themselves and hand the entries in.
export { AppSpecError } from './errors';
export { parseAppSpec, parseAppSpecWithWarnings } from './parse';
export { formatAppSpecWarning } from './warnings';
export { eventTimeoutSeconds, scriptsFor } from './hook-scripts';
export type { AppSpec, AppSpecWarning, HookScript, ParsedAppSpec, PermissionSpec } from './types';
export { couldBeAppSpec, locateAppSpec } from './locate-appspec';
export {
  bundlePathSegments,
  decodeZipName,
  fileSystemEntryKind,
  tarEntryKind,
  zipEntryKind,
  zipUnixMode,
  type BundleEntry,
} from './bundle-entry';
