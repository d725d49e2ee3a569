// docker-compose.yml and the API balancer's HAProxy config, checked without a Docker engine: the compose file is
// parsed as compose would (YAML merge keys resolved) and must run two API processes behind api-lb and two workers,
// each with a restart policy and the health checks the topology relies on; the HAProxy configs must be valid for
// Debian's haproxy 2.6 (`haproxy -c`), with the addresses compose gives it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAX_POLL_WAIT_SECONDS } from '@drover/contracts';
import { REPO_ROOT } from '../../support/processes';

interface Service {
  image?: string;
  command?: string[];
  restart?: string;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  depends_on?: Record<string, unknown> | string[];
  profiles?: string[];
  volumes?: string[];
  networks?: Record<string, { ipv4_address?: string }>;
  ulimits?: { nofile?: number };
}

const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  networks: { default: { ipam: { config: { subnet: string }[] } } };
};
const services = compose.services;
const API_CFG = path.join(REPO_ROOT, 'deploy/haproxy/drover-api.cfg');
const apiCfg = readFileSync(API_CFG, 'utf8');

const haproxyCheck = (file: string, env: Record<string, string> = {}) =>
  spawnSync('/usr/sbin/haproxy', ['-c', '-f', file], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
  });

describe('docker-compose.yml', () => {
  // The compiled bundles the image builds (pnpm build:server), not TypeScript through tsx.
  const runs = (entry: string) =>
    Object.entries(services).filter(([, s]) => JSON.stringify(s.command) === JSON.stringify(['node', entry]));
  const apis = runs('apps/api/dist/main.js');
  const workers = runs('apps/worker/dist/main.js');

  it('runs two API processes, each restarted unless stopped and health-checked on /readyz, none published', () => {
    expect(apis.map(([name]) => name).sort()).toEqual(['drover-api-1', 'drover-api-2']);
    for (const [name, s] of apis) {
      expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
      expect(s.healthcheck?.test.join(' ')).toContain('/readyz');
      // Only through the balancer: a published port would bypass it (and its X-Forwarded-For rule).
      expect(s.ports).toBeUndefined();
      expect(s.environment?.DATABASE_URL).toContain('@postgres:5432/');
      expect(s.environment?.REDIS_URL).toBe('redis://redis:6379');
      // A socket per held poll: far more than the 1024 open files newer Docker engines allow by default.
      expect(s.ulimits?.nofile).toBeGreaterThanOrEqual(65536);
    }
  });

  it('runs two workers, restarted unless stopped', () => {
    expect(workers).toHaveLength(1);
    const [, worker] = workers[0]!;
    expect(worker.deploy?.replicas).toBe(2);
    expect(worker.restart).toBe('unless-stopped');
  });

  it('puts api-lb in front of both API processes, with the shipped config, the published port and a health check', () => {
    const lb = services['api-lb']!;
    expect(lb.image).toMatch(/^haproxy:2\.6/);
    expect(lb.restart).toBe('unless-stopped');
    expect(lb.profiles).toBeUndefined();
    expect(lb.ports).toEqual(['${DROVER_PORT:-3000}:3000']);
    expect(lb.volumes).toContain('./deploy/haproxy/drover-api.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    expect(lb.environment).toEqual({
      DROVER_LB_BIND: ':3000',
      DROVER_API_1: 'drover-api-1:3000',
      DROVER_API_2: 'drover-api-2:3000',
    });
    expect(lb.healthcheck?.test.join(' ')).toContain('/healthz');
    expect(lb.ulimits?.nofile).toBeGreaterThanOrEqual(65536);
  });

  it("trusts X-Forwarded-For from api-lb's fixed address only, inside the compose network's subnet", () => {
    const address = services['api-lb']!.networks?.default?.ipv4_address;
    expect(address).toBe('172.30.57.10');
    expect(compose.networks.default.ipam.config[0]?.subnet).toBe('172.30.57.0/24');
    for (const [, s] of apis) expect(s.environment?.TRUSTED_PROXIES).toBe(`\${TRUSTED_PROXIES:-${address}}`);
  });

  it('sends the demo agents through the balancer', () => {
    for (const name of ['demo-agent', 'demo-agent-2'])
      expect(services[name]!.environment?.DROVER_SERVER_URL).toBe('http://api-lb:3000');
  });

  it('restarts every long-running service unless stopped', () => {
    const daemons = Object.entries(services).filter(([, s]) => !s.profiles?.includes('demo'));
    expect(daemons.filter(([, s]) => s.restart !== 'unless-stopped').map(([n]) => n)).toEqual([]);
  });
});

describe('deploy/haproxy/drover-api.cfg', () => {
  it('is valid for haproxy 2.6 with the addresses compose gives it and with loopback ones', () => {
    const asCompose = haproxyCheck(API_CFG, services['api-lb']!.environment);
    expect(asCompose.status, asCompose.stderr).toBe(0);
    const onLoopback = haproxyCheck(API_CFG, {
      DROVER_LB_BIND: '127.0.0.1:3999',
      DROVER_API_1: '127.0.0.1:4001',
      DROVER_API_2: '127.0.0.1:4002',
    });
    expect(onLoopback.status, onLoopback.stderr).toBe(0);
    expect(onLoopback.stderr).not.toMatch(/WARNING/);
  });

  it('refuses a broken variant, so the check above can fail', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'drover-haproxy-cfg-'));
    try {
      const broken = path.join(dir, 'broken.cfg');
      writeFileSync(broken, apiCfg.replace('balance leastconn', 'balance leastconnections'));
      expect(haproxyCheck(broken).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('health-checks /readyz and holds requests longer than an agent holds a poll', () => {
    expect(apiCfg).toMatch(/^\s+option httpchk GET \/readyz$/m);
    expect(apiCfg).toMatch(/^\s+default-server check /m);
    for (const t of ['client', 'server']) {
      const seconds = Number(new RegExp(`^\\s+timeout ${t} (\\d+)s$`, 'm').exec(apiCfg)?.[1]);
      // Well above the longest hold, so a poll a loaded process answers late is not cut either.
      expect({ t, seconds: seconds >= 2 * MAX_POLL_WAIT_SECONDS }).toEqual({ t, seconds: true });
    }
  });

  it('names one server per API process of the compose file', () => {
    const servers = [...apiCfg.matchAll(/^\s+server (\S+) "\$\{(DROVER_API_\d)-([^}]+)\}"$/gm)].map((m) => m[3]);
    expect(servers).toEqual(['drover-api-1:3000', 'drover-api-2:3000']);
  });
});
