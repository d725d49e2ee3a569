// The wire of the CodeDeploy-compatible endpoint (AWS JSON 1.1): POST with X-Amz-Target: CodeDeploy_20141006.<Op>,
// a JSON body of the operation's input, a JSON answer (an empty body for empty output), errors as
// {"__type", "message"} with x-amzn-RequestId. Pure helpers, so the shapes are unit-tested without a server.
import { AppError } from '@drover/engine';
import { AwsError, awsError, fromAppError } from './aws-error';

export const TARGET_PREFIX = 'CodeDeploy_20141006.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** The operation an X-Amz-Target header names. */
export function operationOf(target: string | string[] | undefined, known: (name: string) => boolean): string {
  const t = Array.isArray(target) ? target[0] : target;
  if (!t) throw awsError('UnknownOperationException', 'X-Amz-Target is required: CodeDeploy_20141006.<Operation>');
  if (!t.startsWith(TARGET_PREFIX)) {
    throw awsError(
      'UnknownOperationException',
      `X-Amz-Target ${t.slice(0, 100)}: this endpoint serves ${TARGET_PREFIX}*`,
    );
  }
  const name = t.slice(TARGET_PREFIX.length);
  if (!known(name)) throw awsError('UnknownOperationException', `${name.slice(0, 100)} is not a CodeDeploy operation`);
  return name;
}

/** The JSON input: an empty body is {} (the protocol allows it); anything but an object is refused. */
export function parseBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw awsError('SerializationException', `the body is not JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw awsError('SerializationException', 'the body must be a JSON object (the operation input)');
  }
  return value as Record<string, unknown>;
}

/** Any error as the AWS answer to send; unexpected ones hide their message (as AWS's InternalFailure does). */
export function toAwsError(err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  if (err instanceof AppError) return fromAppError(err);
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 413) return new AwsError('SerializationException', 'the request body is too large', 413);
  if (status === 429) return new AwsError('ThrottlingException', 'Rate exceeded', 400);
  if (status === 503)
    return new AwsError('ServiceUnavailableException', 'the service is unavailable; retry shortly', 503);
  return new AwsError('InternalFailure', 'internal error', 500);
}

export const errorBody = (e: AwsError) => ({ __type: e.type, message: e.message });
