// Shared pieces of the CodeDeploy-compatible endpoint's tests: access keys made through the REST API, the sample
// bundle uploaded to Drover, an unmodified AWS SDK client pointed at the endpoint.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CodeDeployClient, type CodeDeployClientConfig } from '@aws-sdk/client-codedeploy';
import { CreateAccessKeyResponse, RevisionInfo, type Role } from '@drover/contracts';
import { newSecret } from '@drover/api';
import { TEST_RUN_ENV, TEST_SPAWNED_ENV } from '@drover/testing';
import type { TestApi } from '../../support/api';
import { REPO_ROOT } from '../../support/processes';

export const REGION = 'eu-west-3';
/** SECRET_KEY for the test API: access key secrets are sealed under it. */
export const AWS_TEST_ENV = { SECRET_KEY: 'aws-compat-test-secret-key-0123456789abcdef' };

export interface TestKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** An access key made by an API token of the role (so it acts with that role). */
export async function accessKeyFor(api: TestApi, role: Role, name = `${role}-key`): Promise<TestKey> {
  const res = await api.app.inject({
    method: 'POST',
    url: '/v1/access-keys',
    headers: api.as(role),
    payload: { name },
  });
  if (res.statusCode !== 201) throw new Error(`access key: ${res.statusCode} ${res.body}`);
  const k = CreateAccessKeyResponse.parse(res.json());
  return { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey };
}

export function sdkClient(url: string, key: TestKey, config: Partial<CodeDeployClientConfig> = {}): CodeDeployClient {
  return new CodeDeployClient({
    region: REGION,
    endpoint: `${url}/aws/codedeploy`,
    credentials: key,
    ...config,
  });
}

/** tests/fixtures/bundles/sample-app as a tgz, uploaded to the application through the REST API. */
export async function uploadSampleApp(api: TestApi, app: string, description: string): Promise<RevisionInfo> {
  const dir = mkdtempSync(path.join(tmpdir(), 'drover-aws-bundle-'));
  try {
    const file = path.join(dir, 'app.tgz');
    // A VERSION file makes each upload's bytes (and so its revision) distinct.
    const src = path.join(dir, 'src');
    cpSync(path.join(REPO_ROOT, 'tests/fixtures/bundles/sample-app'), src, { recursive: true });
    writeFileSync(path.join(src, 'VERSION'), description);
    execFileSync('tar', ['czf', file, '-C', src, '.']);
    const res = await api.app.inject({
      method: 'POST',
      url: `/v1/applications/${app}/revisions?bundleType=tgz`,
      headers: { ...api.as('deployer'), 'content-type': 'application/octet-stream' },
      payload: readFileSync(file),
    });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`upload: ${res.statusCode} ${res.body}`);
    return RevisionInfo.parse(res.json());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A registration token whose hosts may bring their own tags (the agents of these tests tag themselves). */
export async function openRegistrationToken(api: TestApi): Promise<string> {
  const reg = newSecret('drr');
  await api.ctx.db.prisma.agentRegistrationToken.create({
    data: { name: 'aws-tests', tokenHash: reg.hash, prefix: reg.prefix, allowExtraTags: true },
  });
  return reg.secret;
}

export interface AwsCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs Debian's `aws` (unmodified) against the endpoint: credentials from the environment only, no config files, no
 * instance metadata, no network but loopback. Asynchronous, so the in-process API keeps answering meanwhile.
 */
export function awsCli(url: string, key: TestKey, args: string[], timeoutMs = 60_000): Promise<AwsCliResult> {
  const home = mkdtempSync(path.join(tmpdir(), 'drover-awscli-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    AWS_DEFAULT_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(home, 'none'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
    AWS_PAGER: '',
    ...(process.env[TEST_RUN_ENV] ? { [TEST_SPAWNED_ENV]: process.env[TEST_RUN_ENV] } : {}),
  };
  const proc = spawn('aws', [...args, '--endpoint-url', `${url}/aws/codedeploy`, '--output', 'json'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`aws ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    proc.once('close', (code) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}
