// SigV4 verification against requests signed by @smithy/signature-v4 as the AWS SDK signs them: the genuine request
// passes; every way of getting it wrong is refused in AWS's words.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { AwsError } from './aws-error';
import { parseAmzDate, verifySigV4, type SignedRequest } from './sigv4';

const KEY = { accessKeyId: 'DRVKABCDEFGHIJKLMNOP', secretAccessKey: 's'.repeat(40) };
const AT = new Date('2026-12-03T08:00:00Z');
const BODY = '{"applicationName": "shop"}';

async function signed(
  opts: { body?: string; service?: string; at?: Date; headers?: Record<string, string>; secret?: string } = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: opts.secret ?? KEY.secretAccessKey },
    region: 'eu-west-3',
    service: opts.service ?? 'codedeploy',
    sha256: Sha256,
  });
  const body = opts.body ?? BODY;
  const req = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: '/aws/codedeploy',
      query: {},
      headers: {
        host: '127.0.0.1:3000',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'CodeDeploy_20141006.GetApplication',
        ...opts.headers,
      },
      body,
    },
    { signingDate: opts.at ?? AT },
  );
  return { method: 'POST', path: '/aws/codedeploy', query: {}, headers: { ...req.headers }, body: Buffer.from(body) };
}

const lookup = async (akid: string) => (akid === KEY.accessKeyId ? { secret: KEY.secretAccessKey } : null);

async function refusal(req: SignedRequest, now = AT): Promise<AwsError> {
  const err = await verifySigV4(req, lookup, now).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AwsError)) throw new Error(`expected an AwsError, got ${String(err)}`);
  return err;
}

describe('verifySigV4', () => {
  it('accepts a request signed with the key, and hands back the key', async () => {
    await expect(verifySigV4(await signed(), lookup, AT)).resolves.toEqual({ secret: KEY.secretAccessKey });
    // Within the skew on either side.
    await expect(verifySigV4(await signed(), lookup, new Date(AT.getTime() + 14 * 60_000))).resolves.toBeTruthy();
    await expect(verifySigV4(await signed(), lookup, new Date(AT.getTime() - 14 * 60_000))).resolves.toBeTruthy();
  });

  it('accepts the body hash header the SDK sends when it matches the body', async () => {
    const sha = 'c3b0f3ad9f2a9fc1f4e8d9e3d0d62fbc5b8e7f35e5f1ea5d8b4bbd5d7a3cfb0c';
    const req = await signed({ headers: { 'x-amz-content-sha256': sha } });
    expect((await refusal(req)).message).toMatch(/x-amz-content-sha256 does not match/);
    const { createHash } = await import('node:crypto');
    const real = createHash('sha256').update(BODY).digest('hex');
    await expect(
      verifySigV4(await signed({ headers: { 'x-amz-content-sha256': real } }), lookup, AT),
    ).resolves.toBeTruthy();
  });

  it('refuses a wrong secret, a changed body and a changed signed header', async () => {
    expect(await refusal(await signed({ secret: 'w'.repeat(40) }))).toMatchObject({
      type: 'InvalidSignatureException',
      status: 403,
    });
    const changedBody = { ...(await signed()), body: Buffer.from('{"applicationName": "other"}') };
    expect((await refusal(changedBody)).type).toBe('InvalidSignatureException');
    const req = await signed();
    req.headers['x-amz-target'] = 'CodeDeploy_20141006.DeleteApplication';
    expect((await refusal(req)).message).toMatch(/signature we calculated does not match/);
  });

  it('refuses a skewed clock in both directions, naming the times', async () => {
    const late = await refusal(await signed(), new Date(AT.getTime() + 16 * 60_000));
    expect(late).toMatchObject({ type: 'InvalidSignatureException', status: 403 });
    expect(late.message).toBe(
      'Signature expired: 20261203T080000Z is now earlier than 20261203T080100Z (20261203T081600Z - 15 min.)',
    );
    const early = await refusal(await signed(), new Date(AT.getTime() - 16 * 60_000));
    expect(early.message).toMatch(/^Signature not yet current: 20261203T080000Z is still later than/);
  });

  it('refuses another service scope, a scope date that is not the request date, and unsigned required headers', async () => {
    expect((await refusal(await signed({ service: 's3' }))).message).toMatch(/scoped to correct service: 'codedeploy'/);
    const req = await signed();
    req.headers.authorization = String(req.headers.authorization).replace('/20261203/', '/20261202/');
    expect((await refusal(req)).message).toMatch(/Date in Credential scope does not match/);
    const noTarget = await signed();
    noTarget.headers.authorization = String(noTarget.headers.authorization).replace(';x-amz-target', '');
    expect((await refusal(noTarget)).message).toBe('SignedHeaders must include x-amz-target');
  });

  it('refuses no or a malformed Authorization, an unknown key and session tokens', async () => {
    const req = await signed();
    expect(await refusal({ ...req, headers: { ...req.headers, authorization: undefined } })).toMatchObject({
      type: 'MissingAuthenticationTokenException',
      status: 403,
    });
    expect((await refusal({ ...req, headers: { ...req.headers, authorization: 'Bearer drv_x' } })).type).toBe(
      'IncompleteSignatureException',
    );
    const unknown = {
      ...req,
      headers: {
        ...req.headers,
        authorization: String(req.headers.authorization).replace(KEY.accessKeyId, 'DRVKZZZZZZZZZZZZZZZZ'),
      },
    };
    expect((await refusal(unknown)).type).toBe('UnrecognizedClientException');
    expect((await refusal(await signed({ headers: { 'x-amz-security-token': 'tok' } }))).type).toBe(
      'UnrecognizedClientException',
    );
  });

  it('reads X-Amz-Date strictly', () => {
    expect(parseAmzDate('20261203T080000Z')?.toISOString()).toBe('2026-12-03T08:00:00.000Z');
    for (const bad of ['2026-12-03T08:00:00Z', '20261203T080000', '20261399T080000Z', '', undefined]) {
      expect(parseAmzDate(bad)).toBeNull();
    }
  });
});
