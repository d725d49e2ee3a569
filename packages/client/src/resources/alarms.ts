// /v1/alarms: alarm definitions (Prometheus queries, Alertmanager matchers, HTTP probes), evaluating one now, and
// the receiver tokens Alertmanager sends with its webhook.
import {
  AlarmEvaluation,
  AlarmInfo,
  AlarmPage,
  AlertReceiverTokenList,
  CreateAlertReceiverTokenResponse,
  type CreateAlarmRequest,
  type ListAlarmsQuery,
  type UpdateAlarmRequest,
} from '@drover/contracts';
import type { z } from 'zod';
import { encode, type Transport } from '../http';

export function alarmsApi(t: Transport) {
  const one = (name: string) => `/v1/alarms/${encode(name)}`;
  return {
    list: (query: Partial<z.input<typeof ListAlarmsQuery>> = {}, signal?: AbortSignal) =>
      t.json('GET', '/v1/alarms', AlarmPage, { query, signal }),
    get: (name: string, signal?: AbortSignal) => t.json('GET', one(name), AlarmInfo, { signal }),
    /** Admin. Prometheus credentials (`prometheus.auth`) are stored sealed and never answered. */
    create: (body: z.input<typeof CreateAlarmRequest>) => t.json('POST', '/v1/alarms', AlarmInfo, { json: body }),
    /** Admin. Fields of the kind's block are merged over the stored ones. */
    update: (name: string, body: z.input<typeof UpdateAlarmRequest>) =>
      t.json('PATCH', one(name), AlarmInfo, { json: body }),
    /** Admin. Refused (409 AlarmInUse) while a deployment group names it. */
    delete: (name: string) => t.empty('DELETE', one(name)),
    /** Deployer. Asks the source now; UNREACHABLE (with the reason in detail) is an answer, not an error. */
    evaluate: (name: string) => t.json('POST', `${one(name)}/evaluate`, AlarmEvaluation, {}),
    receiverTokens: {
      list: (signal?: AbortSignal) => t.json('GET', '/v1/alert-receiver-tokens', AlertReceiverTokenList, { signal }),
      /** Admin. The answer's `token` is shown only here. */
      create: (name: string) =>
        t.json('POST', '/v1/alert-receiver-tokens', CreateAlertReceiverTokenResponse, { json: { name } }),
      revoke: (id: string) => t.empty('DELETE', `/v1/alert-receiver-tokens/${encode(id)}`),
    },
  };
}
