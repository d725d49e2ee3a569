// Server-side SigV4 (AWS4-HMAC-SHA256) verification. The signature is recomputed with @smithy/signature-v4 (the
// signer the AWS SDK itself uses) over the request as received: the headers the client says it signed, their raw
// values, the raw body bytes. Nothing is accepted on trust: the scope must name the codedeploy service and the
// request's date, the date must be within 15 minutes of ours, host, x-amz-date and x-amz-target must be signed, a
// sent x-amz-content-sha256 must be the body's hash, and the signatures are compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { awsError } from './aws-error';

export const SIGNING_SERVICE = 'codedeploy';
/** How far a request's X-Amz-Date may be from the server's clock (AWS allows 15 minutes for SigV4 headers). */
export const MAX_SKEW_MS = 15 * 60_000;
const REQUIRED_SIGNED = ['host', 'x-amz-date', 'x-amz-target'];

const AUTH_RE =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request\s*,\s*SignedHeaders=([a-z0-9;._-]+)\s*,\s*Signature=([0-9a-f]{64})\s*$/;

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (!header) {
    throw awsError(
      'MissingAuthenticationTokenException',
      'Request is missing Authentication Token: sign it with SigV4 using a Drover access key (drover access-key create)',
      403,
    );
  }
  const m = AUTH_RE.exec(header.trim());
  if (!m) {
    throw awsError(
      'IncompleteSignatureException',
      'Authorization header requires Credential, SignedHeaders and Signature with algorithm AWS4-HMAC-SHA256',
      403,
    );
  }
  const [, accessKeyId = '', date = '', region = '', service = '', signed = '', signature = ''] = m;
  return { accessKeyId, date, region, service, signedHeaders: signed.split(';'), signature };
}

/** X-Amz-Date (yyyymmddThhmmssZ) as a Date, or null. */
export function parseAmzDate(text: string | undefined): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? '');
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const amz = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export interface SignedRequest {
  method: string;
  /** Path as sent (percent-encoded), without the query. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const headerValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);

/**
 * Checks the request's SigV4 signature. lookup(accessKeyId) gives the key's secret (and whatever the caller wants
 * back), or null for an unknown, revoked or ownerless key. Throws an AwsError in AWS's own words otherwise.
 */
export async function verifySigV4<K extends { secret: string }>(
  req: SignedRequest,
  lookup: (accessKeyId: string) => Promise<K | null>,
  now: Date = new Date(),
): Promise<K> {
  const auth = parseAuthorization(headerValue(req.headers.authorization));
  if (auth.service !== SIGNING_SERVICE) {
    throw awsError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${SIGNING_SERVICE}'. (scoped to '${auth.service}')`,
      403,
    );
  }
  const missing = REQUIRED_SIGNED.filter((h) => !auth.signedHeaders.includes(h));
  if (missing.length) {
    throw awsError('InvalidSignatureException', `SignedHeaders must include ${missing.join(', ')}`, 403);
  }
  for (const h of auth.signedHeaders) {
    if (req.headers[h] === undefined) {
      throw awsError('InvalidSignatureException', `the signed header ${h} is missing from the request`, 403);
    }
  }
  const amzDateText = headerValue(req.headers['x-amz-date']);
  const signedAt = parseAmzDate(amzDateText);
  if (!signedAt || !amzDateText) {
    throw awsError('IncompleteSignatureException', 'X-Amz-Date must be yyyymmddThhmmssZ', 403);
  }
  if (amzDateText.slice(0, 8) !== auth.date) {
    throw awsError(
      'InvalidSignatureException',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDateText.slice(0, 8)}'`,
      403,
    );
  }
  const skew = signedAt.getTime() - now.getTime();
  if (skew < -MAX_SKEW_MS) {
    throw awsError(
      'InvalidSignatureException',
      `Signature expired: ${amzDateText} is now earlier than ${amz(new Date(now.getTime() - MAX_SKEW_MS))} (${amz(now)} - 15 min.)`,
      403,
    );
  }
  if (skew > MAX_SKEW_MS) {
    throw awsError(
      'InvalidSignatureException',
      `Signature not yet current: ${amzDateText} is still later than ${amz(new Date(now.getTime() + MAX_SKEW_MS))} (${amz(now)} + 15 min.)`,
      403,
    );
  }
  if (req.headers['x-amz-security-token'] !== undefined) {
    throw awsError(
      'UnrecognizedClientException',
      'Drover issues no session tokens: sign with an access key id and secret only',
      403,
    );
  }
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  const sentHash = headerValue(req.headers['x-amz-content-sha256']);
  if (sentHash !== undefined && sentHash !== bodyHash) {
    throw awsError('InvalidSignatureException', 'x-amz-content-sha256 does not match the request body', 403);
  }

  const key = await lookup(auth.accessKeyId);
  if (!key) {
    throw awsError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid: unknown or revoked access key id',
      403,
    );
  }

  const headers: Record<string, string> = {};
  for (const h of auth.signedHeaders) headers[h] = headerValue(req.headers[h]) ?? '';
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey: key.secret },
    region: auth.region,
    service: SIGNING_SERVICE,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path: req.path,
      query: req.query,
      headers,
      body: req.body,
    },
    { signingDate: signedAt, signableHeaders: new Set(auth.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? '';
  const ok =
    expected.length === auth.signature.length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature)) &&
    // The library signs what it is given; make sure that was exactly the client's list.
    String(signed.headers.authorization).includes(`SignedHeaders=${[...auth.signedHeaders].sort().join(';')},`);
  if (!ok) {
    throw awsError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      403,
    );
  }
  return key;
}
