// Errors in the AWS JSON 1.1 shape: the body {"__type": "<Shape>", "message": "…"} and an HTTP status, so an SDK
// maps each to its generated exception class (ApplicationDoesNotExistException, …) and retries only what it should.
import { AppError } from '@drover/engine';

export class AwsError extends Error {
  constructor(
    /** The exception shape name, e.g. ApplicationDoesNotExistException. */
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const awsError = (type: string, message: string, status = 400) => new AwsError(type, message, status);

/** Drover codes that are not CodeDeploy shape names, and the shape a CodeDeploy client expects instead. */
const RENAMED: Record<string, string> = {
  InvalidInput: 'InvalidInputException',
  NotFound: 'ResourceNotFoundException',
  Conflict: 'InvalidOperationException',
  Forbidden: 'AccessDeniedException',
  Unauthenticated: 'UnrecognizedClientException',
  TooManyRequests: 'ThrottlingException',
  ServiceUnavailable: 'ServiceUnavailableException',
  DeploymentGroupBusy: 'DeploymentLimitExceededException',
  LoadBalancerUnavailable: 'InvalidLoadBalancerInfoException',
  TrafficMappingInvalid: 'InvalidLoadBalancerInfoException',
  RevisionBundleMissing: 'RevisionDoesNotExistException',
  SecretKeyMissing: 'InternalFailure',
  AlarmsNotFound: 'InvalidAlarmConfigException',
};

/**
 * The AWS shape of a Drover AppError. Drover's codes are CodeDeploy's exception names without the suffix where
 * CodeDeploy has one (contracts/errors.ts), so most need only "Exception" appended. Statuses follow AWS: 400 for
 * client faults (CodeDeploy models every exception as 400), 403 for access, 429 → ThrottlingException 400, 5xx kept.
 */
export function fromAppError(err: AppError): AwsError {
  const type = RENAMED[err.code] ?? (err.code.endsWith('Exception') ? err.code : `${err.code}Exception`);
  if (err.status === 401 || err.status === 403) return new AwsError(type, err.message, 403);
  if (err.status >= 500)
    return new AwsError(type === 'InternalErrorException' ? 'InternalFailure' : type, err.message, err.status);
  return new AwsError(type, err.message, 400);
}
