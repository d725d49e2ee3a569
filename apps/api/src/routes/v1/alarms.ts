// /v1/alarms: the alarm definitions deployment groups name (Prometheus queries, Alertmanager matchers, HTTP probes).
// Admins manage them, as they manage load balancers (they point Drover at monitoring systems, with credentials);
// everyone signed in reads them; deployers may evaluate one now (it changes nothing but its last result).
// /v1/alarms/alertmanager/webhook is Alertmanager's receiver: it takes only a receiver token (drw_…), which admins
// issue under /v1/alert-receiver-tokens and which allows nothing else.
import {
  AlarmEvaluation,
  AlarmInfo,
  AlarmPage,
  AlarmParams,
  AlertReceiverTokenList,
  AlertReceiverTokenParams,
  AlertmanagerWebhookPayload,
  AlertmanagerWebhookResult,
  CreateAlarmRequest,
  CreateAlertReceiverTokenRequest,
  CreateAlertReceiverTokenResponse,
  ErrorBody,
  ListAlarmsQuery,
  UpdateAlarmRequest,
} from '@drover/contracts';
import type { ZodApp } from '../../lib/zod-app';
import type { Services } from '../../services';
import { NoContent, actor, authErrors, caller, conflictError, notFoundError } from './route-support';

const tags = ['alarms'];

export function registerAlarmRoutes(app: ZodApp, s: Services) {
  app.post(
    '/alarms',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'createAlarm',
        description:
          'kind prometheus takes the prometheus block (its auth is stored sealed and never shown again), alertmanager ' +
          'the alertmanager block, http_probe the httpProbe block.',
        tags,
        body: CreateAlarmRequest,
        response: { 201: AlarmInfo, ...authErrors, ...conflictError },
      },
    },
    async (req, reply) => reply.code(201).send(await s.alarms.create(req.body, actor(req))),
  );

  app.get(
    '/alarms',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'listAlarms',
        tags,
        querystring: ListAlarmsQuery,
        response: { 200: AlarmPage, ...authErrors },
      },
    },
    async (req) => s.alarms.list(req.query),
  );

  app.get(
    '/alarms/:alarmName',
    {
      config: { auth: 'viewer' },
      schema: {
        operationId: 'getAlarm',
        tags,
        params: AlarmParams,
        response: { 200: AlarmInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.alarms.get(req.params.alarmName),
  );

  app.patch(
    '/alarms/:alarmName',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'updateAlarm',
        description:
          'Only the fields given change, merged over the stored ones; the kind never changes. prometheus.auth: an ' +
          'object replaces the credentials, null removes them.',
        tags,
        params: AlarmParams,
        body: UpdateAlarmRequest,
        response: { 200: AlarmInfo, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.alarms.update(req.params.alarmName, req.body, actor(req)),
  );

  app.delete(
    '/alarms/:alarmName',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'deleteAlarm',
        description:
          "Refused with 409 AlarmInUse, naming the groups, while a deployment group's alarmConfiguration names it.",
        tags,
        params: AlarmParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError, ...conflictError },
      },
    },
    async (req, reply) => {
      await s.alarms.delete(req.params.alarmName, actor(req));
      return reply.code(204).send();
    },
  );

  app.post(
    '/alarms/:alarmName/evaluate',
    {
      config: { auth: 'deployer' },
      schema: {
        operationId: 'evaluateAlarm',
        description:
          "Asks the source now and answers the result (also kept as the alarm's lastState). A source that cannot be " +
          'asked is state UNREACHABLE with the reason in detail, not an error. A "for" duration starts at this ' +
          'evaluation, so conditionMet true with state OK means the condition holds but has not held forSeconds yet.',
        tags,
        params: AlarmParams,
        response: { 200: AlarmEvaluation, ...authErrors, ...notFoundError },
      },
    },
    async (req) => s.alarms.evaluate(req.params.alarmName),
  );

  app.post(
    '/alarms/alertmanager/webhook',
    {
      config: { auth: 'public' },
      bodyLimit: 8 * 1024 * 1024,
      // Before the body is read: no receiver token, no parsing (401 without one, 403 for any other credential).
      onRequest: async (req) => s.alarms.authenticateReceiver(req.headers.authorization),
      schema: {
        operationId: 'receiveAlertmanagerWebhook',
        description:
          "Alertmanager's webhook receiver (payload version 4). Authenticate with a receiver token (drw_…) as " +
          'Authorization: Bearer (alertmanager.yml http_config.authorization); API tokens are refused with 403. ' +
          'Each alert replaces the stored copy with the same fingerprint.',
        tags,
        security: [{ bearerToken: [] }],
        body: AlertmanagerWebhookPayload,
        response: { 200: AlertmanagerWebhookResult, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (req) => s.alarms.receiveAlertmanager(req.body),
  );

  app.post(
    '/alert-receiver-tokens',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'createAlertReceiverToken',
        description: 'The secret is in token, returned once. It lets Alertmanager post alerts and allows nothing else.',
        tags,
        body: CreateAlertReceiverTokenRequest,
        response: { 201: CreateAlertReceiverTokenResponse, ...authErrors },
      },
    },
    async (req, reply) => {
      const p = caller(req);
      const by = p.kind === 'user' ? p.userId : p.createdById;
      return reply.code(201).send(await s.alarms.createReceiverToken(req.body.name, by, actor(req)));
    },
  );

  app.get(
    '/alert-receiver-tokens',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listAlertReceiverTokens',
        tags,
        response: { 200: AlertReceiverTokenList, ...authErrors },
      },
    },
    async () => s.alarms.listReceiverTokens(),
  );

  app.delete(
    '/alert-receiver-tokens/:tokenId',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'revokeAlertReceiverToken',
        tags,
        params: AlertReceiverTokenParams,
        response: { 204: NoContent, ...authErrors, ...notFoundError },
      },
    },
    async (req, reply) => {
      await s.alarms.revokeReceiverToken(req.params.tokenId, actor(req));
      return reply.code(204).send();
    },
  );
}
