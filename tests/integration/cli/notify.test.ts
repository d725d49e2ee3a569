// The real `drover` binary managing notification targets against the real API and worker, with a real receiver:
// create (the signing secret printed once with a warning), list, get, test (waits for the receiver's answer; exit 1
// when it refuses), the delivery log, redeliver, update with a new secret, delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationDeliveryPage, NotificationTargetPage, NotificationTargetWithSecret } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { refusal, startReceiver, type Receiver } from '../../support/notification-receiver';
import { cleanupCliTemp, cliBundle, eventually, runCli, tempDir, type CliOptions } from './support';

let stack: TestStack;
let home: string;
let r: Receiver;

type Role = 'admin' | 'deployer' | 'viewer';
const cli = (args: string[], opts: CliOptions & { role?: Role } = {}) =>
  runCli(args, home, {
    ...opts,
    env: { DROVER_URL: stack.url, DROVER_TOKEN: stack.tokens[opts.role ?? 'admin'], ...opts.env },
  });
const json = async (args: string[], role?: Role) => {
  const res = await cli([...args, '-o', 'json'], { role });
  expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(0);
  return JSON.parse(res.stdout) as unknown;
};

beforeAll(async () => {
  cliBundle();
  stack = await startStack({
    SECRET_KEY: 'cli-notify-tests-secret-key-0000000000000',
    NOTIFY_SWEEP_INTERVAL_SECONDS: '0.2',
    NOTIFY_BACKOFF_BASE_SECONDS: '0.2',
    NOTIFY_BACKOFF_MAX_SECONDS: '0.5',
  });
  home = tempDir('home');
  r = await startReceiver();
}, 60_000);

afterAll(async () => {
  await r?.close();
  await stack?.close();
  cleanupCliTemp();
}, 60_000);

describe('drover notify', () => {
  let secret = '';

  it('creates a webhook target (admin only), printing the secret once with a warning', async () => {
    const refused = await cli(['notify', 'create', 'ci', '--webhook', r.url], { role: 'deployer' });
    expect(refused.code).toBe(1);
    const res = await cli(['notify', 'create', 'ci', '--webhook', r.url, '--description', 'pipeline']);
    expect(res.code, res.stderr).toBe(0);
    const line = res.stdout.split('\n').find((l) => l.startsWith('Signing secret: '));
    secret = line!.slice('Signing secret: '.length);
    expect(secret).toMatch(/^whsec_/);
    expect(res.stderr).toContain('only time the signing secret is shown');
    expect((await cli(['notify', 'create', 'x', '--webhook', r.url, '--slack', r.url])).code).toBe(2);
  });

  it('lists and shows it, never with the secret', async () => {
    const page = NotificationTargetPage.parse(await json(['notify', 'list'], 'viewer'));
    expect(page.items.map((t) => t.notificationTargetName)).toEqual(['ci']);
    const text = await cli(['notify', 'get', 'ci'], { role: 'viewer' });
    expect(text.stdout).toContain(secret.slice(0, 12));
    expect(text.stdout).not.toContain(secret.slice(12));
  });

  it('test waits for the answer; a refusing receiver exits 1 and the log shows it; redeliver sends it again', async () => {
    const good = await cli(['notify', 'test', 'ci']);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/Status\s+delivered/);
    expect(good.stdout).toMatch(/Answer\s+HTTP 200/);
    expect(refusal(secret, r.accepted()[0]!.headers, r.accepted()[0]!.body)).toBeNull();
    r.answer(503);
    const bad = await cli(['notify', 'test', 'ci']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/Answer\s+HTTP 503/);
    const failing = NotificationDeliveryPage.parse(await json(['notify', 'deliveries', 'ci'], 'viewer'));
    expect(failing.items.map((d) => d.status)).toEqual(['pending', 'delivered']);
    r.answer(200);
    const delivered = await eventually(async () => {
      const p = NotificationDeliveryPage.parse(await json(['notify', 'deliveries', 'ci', '--status', 'delivered']));
      return p.items.length === 2 ? p : undefined;
    }, 'the retried test event');
    const again = await cli(['notify', 'redeliver', 'ci', delivered.items[1]!.deliveryId]);
    expect(again.code, again.stderr).toBe(0);
    await eventually(async () => (r.accepted().length === 3 ? true : undefined), 'the redelivery');
    expect(r.accepted()[2]!.headers['x-drover-event-id']).toBe(delivered.items[1]!.eventId);
    const table = await cli(['notify', 'deliveries', 'ci'], { role: 'viewer' });
    expect(table.stdout).toMatch(/DELIVERY\s+EVENT\s+DEPLOYMENT\s+STATUS\s+CODE/);
  });

  it('rotates the secret and deletes the target', async () => {
    const rotated = NotificationTargetWithSecret.parse(await json(['notify', 'update', 'ci', '--rotate-secret']));
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(secret);
    expect((await cli(['notify', 'delete', 'ci', '--yes'])).code).toBe(0);
    expect((await cli(['notify', 'get', 'ci'])).code).toBe(1);
  });
});
