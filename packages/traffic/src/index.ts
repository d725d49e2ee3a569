export * from './provider';
export {
  createWebhookProvider,
  type DroverWebhookRequest,
  type WebhookAction,
  type WebhookContext,
  type WebhookProviderOptions,
  type WebhookServerRef,
  type WebhookTrafficProvider,
} from './webhook/webhook-provider';
export type { WebhookAnswer, WebhookServerState } from './webhook/webhook-answer';
export {
  secretProblem as webhookSecretProblem,
  signDroverWebhook,
  verifyDroverWebhook,
  WebhookVerificationError,
  type SignatureHeaders,
} from './webhook/verify';
export { createHaproxyProvider, HAPROXY_MAX_WEIGHT, type HaproxyProviderOptions } from './haproxy/haproxy-provider';
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  formatRuntimeAddress,
  parseRuntimeAddress,
  sendRuntimeCommand,
  type RuntimeAddress,
  type SendOptions,
} from './haproxy/runtime-socket';
export {
  addressOf,
  adminStateOf,
  checkStatusOf,
  describeCheck,
  hasHealthCheck,
  healthOf,
  isHealthyCheck,
  parseServersState,
  parseStatCsv,
  serverRows,
  toServerView,
  type ServerStateRow,
  type StatRow,
} from './haproxy/stat-csv';
