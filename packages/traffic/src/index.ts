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
