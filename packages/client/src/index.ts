// @drover/client: a typed client for Drover's REST API (/v1), over the shared zod contracts.
export { createDroverClient, type DroverClient } from './client';
export { DroverApiError, DroverNetworkError, isDroverApiError, isDroverNetworkError, toApiError } from './errors';
export {
  Transport,
  buildQuery,
  checkShape,
  normaliseBaseUrl,
  type ClientOptions,
  type Credentials,
  type HttpMethod,
  type Query,
  type StreamUpload,
} from './http';
export { SseParser, readSse, type SseMessage } from './sse';
export { paginate, collectPages, type Page } from './paginate';
export { progressBody, type ProgressCallback, type UploadSource } from './upload';
export { waitForDeployment, watchDeployment, type WatchOptions } from './deployment-watch';
export { followDeploymentLogs, type FollowLogsOptions, type LogChunk } from './deployment-logs';
export type { DeploymentStreamEvent, ListDeploymentsParams, LogRead } from './resources/deployments';
export type { UploadOptions, UploadResult } from './resources/revisions';
export { sessionCookieOf } from './resources/auth';
