// Helpers for the revision-source tests: follow a registration job to its end through the API.
import type { RevisionJobInfo } from '@drover/contracts';
import type { TestApi } from '../../support/api';
import { call } from '../api/support/http';

export const SECRET_KEY = 'revision-sources-test-key-0123456789abcdef';

export const APPSPEC = `version: 0.0
os: linux
files:
  - source: /
    destination: /opt/app
hooks:
  ApplicationStart:
    - location: scripts/start.sh
      timeout: 60
`;

/** Polls the job until it has ended (Succeeded or Failed); fails the test past the bound. */
export async function jobEnd(api: TestApi, app: string, jobId: string, ms = 60_000): Promise<RevisionJobInfo> {
  const until = Date.now() + ms;
  for (;;) {
    const res = await call(api, 'viewer', 'GET', `/v1/applications/${app}/revision-jobs/${jobId}`);
    if (res.status !== 200) throw new Error(`GET job ${jobId}: ${res.status} ${res.raw}`);
    const job = res.body as unknown as RevisionJobInfo;
    if (job.status === 'Succeeded' || job.status === 'Failed') return job;
    if (Date.now() > until) throw new Error(`job ${jobId} still ${job.status} after ${ms} ms: ${job.progress}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
