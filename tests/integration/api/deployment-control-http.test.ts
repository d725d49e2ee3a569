// /stop, /continue and /rollback take an optional body: over real HTTP (not inject), a bare `curl -X POST` (no body, no
// content-type) and a JSON content-type with an empty body are both read as `{}`, as docs/api.md shows them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentInfo } from '@drover/contracts';
import { startStack, type TestStack } from '../../support/stack';
import { startProtocolAgent, type ProtocolAgent } from '../../support/protocol-agent';

let stack: TestStack;
const agents: ProtocolAgent[] = [];
/** Holds every host's first event in flight until released, so deployments stay stoppable. */
let release!: () => void;
const held = new Promise<void>((r) => (release = r));

beforeAll(async () => {
  stack = await startStack();
  await stack.seedApp({ app: 'ctl', group: 'ctl', config: 'AllAtOnce' });
  agents.push(
    await startProtocolAgent({
      url: stack.url,
      registrationToken: stack.registrationToken,
      name: 'ctl-1',
      tags: [{ key: 'env', value: 'ctl' }],
      outcome: async () => {
        await held;
        return 'ok' as const;
      },
    }),
  );
});
afterAll(async () => {
  release();
  await Promise.all(agents.map((a) => a.stop()));
  await stack.close();
}, 60_000);

/** A POST over the network, with exactly the headers and body given (fetch adds no content-type without a body). */
async function post(path: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { authorization: stack.as('deployer').authorization, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function running(label: string): Promise<string> {
  const rev = await stack.addRevision('ctl', label);
  const res = await post(
    '/v1/deployments',
    { 'content-type': 'application/json' },
    JSON.stringify({ applicationName: 'ctl', deploymentGroupName: 'ctl', revisionId: rev }),
  );
  expect(res.status, res.text).toBe(201);
  return (res.json as unknown as DeploymentInfo).deploymentId;
}

const variants: [string, Record<string, string>, string | undefined][] = [
  ['no body and no content-type (bare curl -X POST)', {}, undefined],
  ['content-type: application/json and an empty body', { 'content-type': 'application/json' }, ''],
];

describe.each(variants)('POST with %s', (_name, headers, body) => {
  it('/stop stops the deployment without rolling back', async () => {
    const id = await running(`stop-${String(body)}-${Object.keys(headers).length}`);
    const res = await post(`/v1/deployments/${id}/stop`, headers, body);
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ status: expect.stringMatching(/^(Pending|Succeeded)$/) });
    const d = (await (
      await fetch(`${stack.url}/v1/deployments/${id}`, { headers: stack.as('viewer') })
    ).json()) as DeploymentInfo;
    expect(d.stopRequested).toBe(true);
  });

  it('/continue reaches the engine (an in-place deployment never waits: 409, not 400)', async () => {
    const id = await running(`continue-${String(body)}-${Object.keys(headers).length}`);
    const res = await post(`/v1/deployments/${id}/continue`, headers, body);
    expect(res.status, res.text).toBe(409);
    expect(res.text).toMatch(/DeploymentIsNotInReadyState/);
    await post(`/v1/deployments/${id}/stop`);
  });

  it('/rollback answers the same way (a deployment with nothing to roll back to: not a 400 about the body)', async () => {
    const id = await running(`rollback-${String(body)}-${Object.keys(headers).length}`);
    const res = await post(`/v1/deployments/${id}/rollback`, headers, body);
    expect(res.status, res.text).not.toBe(400);
    expect(res.status, res.text).not.toBe(415);
    await post(`/v1/deployments/${id}/stop`);
  });
});
