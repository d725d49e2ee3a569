// /v1/notification-targets: where deployment groups' triggers send events, and each target's delivery log. Admins
// manage targets (a URL and a signing secret are credentials); everyone signed in reads them and their deliveries.
import {
  CreateNotificationTargetRequest,
  ListNotificationDeliveriesQuery,
  ListNotificationTargetsQuery,
  NotificationDelivery,
  NotificationDeliveryPage,
  NotificationDeliveryParams,
  NotificationTargetInfo,
  NotificationTargetPage,
  NotificationTargetParams,
  NotificationTargetWithSecret,
  UpdateNotificationTargetRequest,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { NoContent, actor, authErrors, conflictError, notFoundError } from './route-support';

const tags = ['notifications'];

export function registerNotificationTargetRoutes(app: ZodApp, s: Services) {
  app.post(
    '/notification-targets',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'createNotificationTarget',
        description:
          'kind webhook: signed JSON deliveries; the signing secret is returned once as signingSecret. kind slack: ' +
          'a Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat). The URL is stored sealed and shown ' +
          'only by its start.',
        tags,
        body: CreateNotificationTargetRequest,
        response: { 201: NotificationTargetWithSecret, ...authErrors, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.notificationTargets.create(req.body, actor(req))),
  );

  app.get(
    '/notification-targets',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listNotificationTargets',
        tags,
        querystring: ListNotificationTargetsQuery,
        response: { 200: NotificationTargetPage, ...authErrors },
      },
    },
    async (req) => s.notificationTargets.list(req.query),
  );

  app.get(
    '/notification-targets/:notificationTargetName',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getNotificationTarget',
        tags,
        params: NotificationTargetParams,
        response: { 200: NotificationTargetInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.notificationTargets.get(req.params.notificationTargetName),
  );

  app.patch(
    '/notification-targets/:notificationTargetName',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'updateNotificationTarget',
        description: 'Only the fields given change. rotateSecret (webhook targets) returns the new secret once.',
        tags,
        params: NotificationTargetParams,
        body: UpdateNotificationTargetRequest,
        response: { 200: NotificationTargetWithSecret, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.notificationTargets.update(req.params.notificationTargetName, req.body, actor(req)),
  );

  app.delete(
    '/notification-targets/:notificationTargetName',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'deleteNotificationTarget',
        description: "Refused with 409 NotificationTargetInUse while a group's triggerConfigurations name it.",
        tags,
        params: NotificationTargetParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => {
      await s.notificationTargets.delete(req.params.notificationTargetName, actor(req));
      return reply.code(204).send();
    },
  );

  app.get(
    '/notification-targets/:notificationTargetName/deliveries',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listNotificationDeliveries',
        description: 'The delivery log, newest event first: status, response code, latency, attempts, an excerpt.',
        tags,
        params: NotificationTargetParams,
        querystring: ListNotificationDeliveriesQuery,
        response: { 200: NotificationDeliveryPage, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.notificationTargets.deliveries(req.params.notificationTargetName, req.query),
  );

  app.get(
    '/notification-targets/:notificationTargetName/deliveries/:deliveryId',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getNotificationDelivery',
        tags,
        params: NotificationDeliveryParams,
        response: { 200: NotificationDelivery, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.notificationTargets.delivery(req.params.notificationTargetName, req.params.deliveryId),
  );

  app.post(
    '/notification-targets/:notificationTargetName/test',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'testNotificationTarget',
        description:
          'Queues a Test event to this target and answers 202 with its delivery; the worker sends it within a second ' +
          '(follow it with GET …/deliveries/:deliveryId).',
        tags,
        params: NotificationTargetParams,
        response: { 202: NotificationDelivery, ...authErrors, ...notFoundError },
      },
    },
    async (req, reply) =>
      reply.code(202).send(await s.notificationTargets.test(req.params.notificationTargetName, actor(req))),
  );

  app.post(
    '/notification-targets/:notificationTargetName/deliveries/:deliveryId/redeliver',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'redeliverNotification',
        description:
          'Sends a delivered or failed delivery again, with the same event id (receivers de-duplicate on it). 409 ' +
          'DeliveryPending while it is still pending.',
        tags,
        params: NotificationDeliveryParams,
        response: { 202: NotificationDelivery, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(
          await s.notificationTargets.redeliver(req.params.notificationTargetName, req.params.deliveryId, actor(req)),
        ),
  );
}
