// @drover/alarms/test-support: Debian's real prometheus and prometheus-alertmanager on spare loopback ports.
export {
  startPrometheus,
  type AlertRule,
  type PrometheusProcess,
  type StartPrometheusOptions,
} from './prometheus-process';
export { startAlertmanager, type AlertmanagerProcess, type StartAlertmanagerOptions } from './alertmanager-process';
export { sparePort } from './run-daemon';
