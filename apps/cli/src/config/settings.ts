// Which server and token a command uses. Highest first: --url/--token; the profile named by --profile; the
// DROVER_URL/DROVER_TOKEN variables; the config file's current profile (or DROVER_PROFILE). Kept pure for tests.
import type { ConfigFile } from './store';

export interface SettingsInput {
  flags: { url?: string | undefined; token?: string | undefined; profile?: string | undefined };
  env: NodeJS.ProcessEnv;
  config: ConfigFile;
}

export interface Settings {
  url: string | undefined;
  token: string | undefined;
  /** The profile whose values are in play (login and logout write to it). */
  profile: string;
  /** Where the URL and token came from, for `drover whoami` and error messages. */
  urlSource: string | undefined;
  tokenSource: string | undefined;
}

export function resolveSettings({ flags, env, config }: SettingsInput): Settings {
  const explicitProfile = flags.profile ?? undefined;
  const profileName = explicitProfile ?? (env.DROVER_PROFILE || config.currentProfile);
  const profile = config.profiles[profileName];
  const candidates = (key: 'url' | 'token', envName: string): [string | undefined, string | undefined][] => [
    [flags[key], `--${key}`],
    ...(explicitProfile ? [[profile?.[key], `profile ${profileName}`] as [string | undefined, string]] : []),
    [env[envName], envName],
    ...(explicitProfile ? [] : [[profile?.[key], `profile ${profileName}`] as [string | undefined, string]]),
  ];
  const pick = (list: [string | undefined, string | undefined][]) =>
    list.find(([v]) => v !== undefined && v !== '') ?? [undefined, undefined];
  const [url, urlSource] = pick(candidates('url', 'DROVER_URL'));
  const [token, tokenSource] = pick(candidates('token', 'DROVER_TOKEN'));
  return { url, token, profile: profileName, urlSource, tokenSource };
}
