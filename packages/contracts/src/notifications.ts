// Notifications: targets that deployment groups' triggerConfigurations send events to (triggerTargetArn names a target
// by name or id), the delivery log, and the body a generic webhook receives (versioned; docs/notifications.md).
import { z } from 'zod';
import { Cursor, Limit, ResourceName, Timestamp, Uuid } from './common';

/** webhook: Drover's signed JSON body. slack: a Slack-compatible incoming webhook (also Mattermost, Rocket.Chat). */
export const NotificationTargetKind = z.enum(['webhook', 'slack']);
export type NotificationTargetKind = z.infer<typeof NotificationTargetKind>;

const TargetUrl = z
  .string()
  .url()
  .max(2048)
  .refine((u) => /^https?:\/\//.test(u), 'http or https only');

export const CreateNotificationTargetRequest = z.object({
  notificationTargetName: ResourceName,
  kind: NotificationTargetKind,
  url: TargetUrl,
  description: z.string().max(256).optional(),
});
export type CreateNotificationTargetRequest = z.infer<typeof CreateNotificationTargetRequest>;

/** Only the fields given change; `rotateSecret` issues a new signing secret (webhook targets; shown once). */
export const UpdateNotificationTargetRequest = z.object({
  url: TargetUrl.optional(),
  description: z.string().max(256).nullable().optional(),
  rotateSecret: z.boolean().optional(),
});
export type UpdateNotificationTargetRequest = z.infer<typeof UpdateNotificationTargetRequest>;

export const NotificationTargetInfo = z.object({
  notificationTargetId: z.string(),
  notificationTargetName: z.string(),
  kind: NotificationTargetKind,
  /** Scheme, host and the start of the path: a chat hook's URL is a credential, never shown whole again. */
  url: z.string(),
  /** webhook targets: the first characters of the signing secret, to tell secrets apart. */
  secretPrefix: z.string().nullable(),
  description: z.string().nullable(),
  /** The deployment groups' triggers that send here. */
  usedBy: z.array(z.object({ applicationName: z.string(), deploymentGroupName: z.string(), triggerName: z.string() })),
  /** Deliveries not yet made (waiting or retrying) and given up on. */
  pendingDeliveries: z.number().int(),
  failedDeliveries: z.number().int(),
  createTime: Timestamp,
  updateTime: Timestamp,
});
export type NotificationTargetInfo = z.infer<typeof NotificationTargetInfo>;

/** Create and rotate answers carry a webhook target's signing secret once (`whsec_…`). */
export const NotificationTargetWithSecret = NotificationTargetInfo.extend({ signingSecret: z.string().optional() });
export type NotificationTargetWithSecret = z.infer<typeof NotificationTargetWithSecret>;

export const NotificationTargetParams = z.object({ notificationTargetName: ResourceName });
export type NotificationTargetParams = z.infer<typeof NotificationTargetParams>;
export const NotificationDeliveryParams = NotificationTargetParams.extend({ deliveryId: Uuid });
export type NotificationDeliveryParams = z.infer<typeof NotificationDeliveryParams>;

export const ListNotificationTargetsQuery = z.object({ cursor: Cursor, limit: Limit });
export type ListNotificationTargetsQuery = z.infer<typeof ListNotificationTargetsQuery>;
export const NotificationTargetPage = z.object({
  items: z.array(NotificationTargetInfo),
  nextCursor: z.string().nullable(),
});
export type NotificationTargetPage = z.infer<typeof NotificationTargetPage>;

export const NotificationDeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export type NotificationDeliveryStatus = z.infer<typeof NotificationDeliveryStatus>;

/** The CodeDeploy trigger event types, and Test (a target's "send a test event"). */
export const NotificationEventType = z.enum([
  'DeploymentStart',
  'DeploymentSuccess',
  'DeploymentFailure',
  'DeploymentStop',
  'DeploymentRollback',
  'DeploymentReady',
  'InstanceStart',
  'InstanceSuccess',
  'InstanceFailure',
  'InstanceReady',
  'Test',
]);
export type NotificationEventType = z.infer<typeof NotificationEventType>;

export const NotificationDelivery = z.object({
  deliveryId: z.string(),
  /** The event's id: the same in every attempt and redelivery (receivers de-duplicate on it). */
  eventId: z.string(),
  eventType: NotificationEventType,
  deploymentId: z.string().nullable(),
  triggerName: z.string(),
  status: NotificationDeliveryStatus,
  attempts: z.number().int(),
  nextAttemptTime: Timestamp.nullable(),
  lastAttemptTime: Timestamp.nullable(),
  deliveredTime: Timestamp.nullable(),
  /** The receiver's HTTP status of the last attempt (null: no answer). */
  responseStatus: z.number().int().nullable(),
  latencyMs: z.number().int().nullable(),
  /** The first characters of the receiver's answer. */
  responseExcerpt: z.string().nullable(),
  /** Why the last attempt failed, readable. */
  error: z.string().nullable(),
  /** A chat target's instance event sent within the summary of that delivery. */
  summarizedIn: z.string().nullable(),
  createTime: Timestamp,
});
export type NotificationDelivery = z.infer<typeof NotificationDelivery>;

export const ListNotificationDeliveriesQuery = z.object({
  cursor: Cursor,
  limit: Limit,
  status: NotificationDeliveryStatus.optional(),
  deploymentId: z.string().max(64).optional(),
});
export type ListNotificationDeliveriesQuery = z.infer<typeof ListNotificationDeliveriesQuery>;
export const NotificationDeliveryPage = z.object({
  items: z.array(NotificationDelivery),
  nextCursor: z.string().nullable(),
});
export type NotificationDeliveryPage = z.infer<typeof NotificationDeliveryPage>;

// ---- The body a generic webhook target receives (schema version 1). Chat targets get a Slack-compatible message.

export const NOTIFICATION_SCHEMA_VERSION = '1';

export const NotificationDeploymentPart = z.object({
  deploymentId: z.string(),
  applicationName: z.string(),
  deploymentGroupName: z.string(),
  revisionId: z.string(),
  status: z.string(),
  revisionDescription: z.string().nullable().optional(),
  deploymentType: z.string().optional(),
  creator: z.string().optional(),
  createdBy: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  createTime: Timestamp.optional(),
  startTime: Timestamp.nullable().optional(),
  completeTime: Timestamp.nullable().optional(),
  errorInformation: z.object({ code: z.string(), message: z.string().nullable() }).nullable().optional(),
  rollbackInfo: z
    .object({
      rollbackDeploymentId: z.string().nullable(),
      rollbackTriggeringDeploymentId: z.string().nullable(),
      rollbackMessage: z.string().nullable(),
    })
    .nullable()
    .optional(),
  deploymentOverview: z.record(z.string(), z.number()).optional(),
});

export const NotificationInstancePart = z.object({
  instanceId: z.string(),
  instanceName: z.string(),
  status: z.string(),
  batch: z.number().int(),
  label: z.string().nullable(),
  errorInformation: z.object({ code: z.string(), message: z.string().nullable() }).nullable(),
  lifecycleEvents: z
    .array(
      z.object({
        lifecycleEvent: z.string(),
        status: z.string(),
        startTime: Timestamp.nullable(),
        endTime: Timestamp.nullable(),
      }),
    )
    .nullable(),
});

export const NotificationBody = z.object({
  schemaVersion: z.literal(NOTIFICATION_SCHEMA_VERSION),
  /** Unique per event; the same on every retry and redelivery. */
  id: Uuid,
  type: NotificationEventType,
  /** When the state change happened (not when this attempt was sent). */
  time: Timestamp,
  /** The trigger configuration of the group that selected this event. */
  triggerName: z.string(),
  deployment: NotificationDeploymentPart.nullable(),
  /** Instance events only. */
  instance: NotificationInstancePart.nullable(),
  /** The deployment's page in the console (PUBLIC_URL), when known. */
  consoleUrl: z.string().nullable(),
});
export type NotificationBody = z.infer<typeof NotificationBody>;

/** The headers of a webhook delivery (lower case, as Node shows them). */
export const NOTIFICATION_HEADERS = {
  id: 'x-drover-event-id',
  type: 'x-drover-event',
  timestamp: 'x-drover-timestamp',
  signature: 'x-drover-signature',
  delivery: 'x-drover-delivery',
} as const;
