// The real stack for one test file: API listening on loopback and a worker, on a fresh database and Redis prefix.
import { startWorker, type RunningWorker } from '@drover/worker';
import { ensurePredefinedConfigs, newSecret } from '@drover/api';
import { startTestApi, type TestApi } from './api';

export interface TestStack extends TestApi {
  url: string;
  worker: RunningWorker;
  registrationToken: string;
  /** Creates an application with one deployment group targeting tag env=<group>, and a (URL) revision. */
  seedApp(opts: { app: string; group: string; config?: string; autoRollback?: boolean }): Promise<{ groupId: string }>;
  addRevision(app: string, label: string): Promise<string>;
  restartWorker(): Promise<void>;
}

/** `worker: false` runs no in-process worker (a test that spawns worker processes of its own). */
export async function startStack(
  overrides: Record<string, string> = {},
  opts: { worker?: boolean } = {},
): Promise<TestStack> {
  const api = await startTestApi({ RECONCILE_INTERVAL_SECONDS: '0.5', ...overrides });
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  let worker: RunningWorker | null = opts.worker === false ? null : await startWorker(api.env);
  await ensurePredefinedConfigs(api.ctx.db.prisma);
  const reg = newSecret('drr');
  await api.ctx.db.prisma.agentRegistrationToken.create({
    // Hosts in tests name their own tags (allowExtraTags): the token bounds nothing but who may register.
    data: { name: 'tests', tokenHash: reg.hash, prefix: reg.prefix, allowExtraTags: true },
  });
  const prisma = api.ctx.db.prisma;
  const stack: TestStack = {
    ...api,
    url,
    get worker() {
      if (!worker) throw new Error('this stack runs no in-process worker');
      return worker;
    },
    registrationToken: reg.secret,
    async seedApp({ app, group, config = 'OneAtATime', autoRollback = false }) {
      const application = await prisma.application.upsert({ where: { name: app }, create: { name: app }, update: {} });
      const cfg = await prisma.deploymentConfig.findUniqueOrThrow({ where: { name: config } });
      const g = await prisma.deploymentGroup.create({
        data: {
          applicationId: application.id,
          name: group,
          deploymentConfigId: cfg.id,
          tagFilters: [{ key: 'env', value: group, type: 'KEY_AND_VALUE' }],
          autoRollbackConfiguration: autoRollback ? { enabled: true, events: ['DEPLOYMENT_FAILURE'] } : undefined,
        },
      });
      return { groupId: g.id };
    },
    async addRevision(app, label) {
      const application = await prisma.application.findUniqueOrThrow({ where: { name: app } });
      const sha = Buffer.from(label.padEnd(32, '.')).toString('hex').slice(0, 64);
      const r = await prisma.revision.create({
        data: {
          applicationId: application.id,
          revisionType: 'Url',
          url: `http://127.0.0.1:9/${label}.tgz`,
          sha256: sha,
          size: 1n,
          bundleType: 'tgz',
          description: label,
        },
      });
      return r.id;
    },
    async restartWorker() {
      await worker?.close();
      worker = await startWorker(api.env);
    },
    async close() {
      await worker?.close();
      // Node counts a socket the agents' HTTP client opened but never sent a request on as busy, not idle, so
      // app.close() would wait for it until connectionTimeout (60 s); a test stack has nothing left to answer.
      api.app.server.closeAllConnections();
      await api.close();
    },
  };
  return stack;
}
