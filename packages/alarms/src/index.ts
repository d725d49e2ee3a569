// @drover/alarms: alarm definitions evaluated — Prometheus queries, Alertmanager alerts, HTTP probes — and the "for"
// duration. Depends on contracts only; the database is reached through the AlarmReader the caller passes.
export { evaluateAlarmByName, evaluateStoredAlarm, AlarmNotFoundError } from './evaluate-alarm';
export type { AlarmReader, EvaluateAlarmOptions } from './evaluate-alarm';
export { applyForDuration, type ForDurationDecision, type ForDurationInput } from './for-duration';
export { evaluatePrometheus, judgeSeries, queryUrl, readQueryAnswer } from './prometheus';
export type { EvaluateOptions, PrometheusAnswer, PrometheusSeries } from './prometheus';
export { evaluateHttpProbe, statusExpected, describeExpected } from './http-probe';
export {
  alertActive,
  alertMatches,
  evaluateAlertmanager,
  matcherMatches,
  toStoredAlert,
  ZERO_TIME,
  type StoredAlert,
} from './alertmanager';
export { formatValue, meets, parseSampleValue } from './compare';
export { readableError, type RawEvaluation } from './result';
export {
  AlarmDefinitionError,
  authFromOpened,
  authToSeal,
  readStoredAlarm,
  type AlarmDefinition,
  type StoredAlarm,
} from './stored-alarm';
