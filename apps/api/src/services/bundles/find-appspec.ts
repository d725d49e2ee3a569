// Finds and reads the appspec of an uploaded bundle on disk, by the rule the agent applies once it has extracted the
// bundle on a host (@drover/appspec's locateAppSpec), so a bundle accepted here is laid out the same on hosts.
import type { FoundAppSpec } from './bundle-error';
import type { SniffedFormat } from './sniff';
import { appSpecFromTar } from './tar-appspec';
import { appSpecFromZip } from './zip-appspec';

export async function findAppSpec(file: string, format: SniffedFormat): Promise<FoundAppSpec> {
  return format === 'zip' ? appSpecFromZip(file) : appSpecFromTar(file, format === 'gzip');
}
