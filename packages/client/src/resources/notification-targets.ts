// /v1/notification-targets: where deployment groups' triggers send events, and each target's delivery log.
import {
  NotificationDelivery,
  NotificationDeliveryPage,
  NotificationTargetInfo,
  NotificationTargetPage,
  NotificationTargetWithSecret,
  type CreateNotificationTargetRequest,
  type ListNotificationDeliveriesQuery,
  type ListNotificationTargetsQuery,
  type UpdateNotificationTargetRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function notificationTargetsApi(t: Transport) {
  const one = (name: string) => `/v1/notification-targets/${encode(name)}`;
  return {
    list: (query: Partial<z.input<typeof ListNotificationTargetsQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/notification-targets', NotificationTargetPage, { query, signal }),
    get: (name: string, signal?: AbortSignal) => t.json('GET', one(name), NotificationTargetInfo, { signal }),
    /** Admin. A webhook target's answer carries `signingSecret`, shown only here. */
    create: (body: z.input<typeof CreateNotificationTargetRequest>) =>
      t.json('POST', '/v1/notification-targets', NotificationTargetWithSecret, { json: body }),
    /** Admin. Only the fields given change; `rotateSecret: true` returns the new `signingSecret` once. */
    update: (name: string, body: z.input<typeof UpdateNotificationTargetRequest>) =>
      t.json('PATCH', one(name), NotificationTargetWithSecret, { json: body }),
    /** Admin. Refused (409 NotificationTargetInUse) while a group's trigger names it. */
    delete: (name: string) => t.empty('DELETE', one(name)),
    deliveries: (
      name: string,
      query: Partial<z.input<typeof ListNotificationDeliveriesQuery>> = {},
      signal?: AbortSignal,
    ) => t.json('GET', `${one(name)}/deliveries`, NotificationDeliveryPage, { query, signal }),
    delivery: (name: string, deliveryId: string, signal?: AbortSignal) =>
      t.json('GET', `${one(name)}/deliveries/${encode(deliveryId)}`, NotificationDelivery, { signal }),
    /** Admin. Queues a Test event; the answer is its delivery (pending). */
    test: (name: string) => t.json('POST', `${one(name)}/test`, NotificationDelivery, {}),
    /** Admin. Sends a delivered or failed delivery again, same event id. */
    redeliver: (name: string, deliveryId: string) =>
      t.json('POST', `${one(name)}/deliveries/${encode(deliveryId)}/redeliver`, NotificationDelivery, {}),
  };
}
