// @drover/traffic/test-support: a real HAProxy and tiny HTTP backends for the traffic providers' tests.
export {
  haproxyConfig,
  startHaproxy,
  type HaproxyBackendSpec,
  type HaproxyProcess,
  type HaproxyServerSpec,
  type StartHaproxyOptions,
} from './haproxy-process';
export { startHttpBackend, type HttpBackend, type HttpBackendOptions } from './http-backend';
export { sparePort } from './spare-port';
export { httpGet, startLoad, type HttpAnswer, type Load, type LoadTotals } from './http-load';
