// @drover/agent: the host agent as a library (tests and embedders run it in-process).
export { startAgent, type AgentHandle } from './runtime/agent';
export {
  AgentConfig,
  ArchiveLimits,
  ConfigError,
  agentConfig,
  loadConfig,
  resolveConfig,
  type AgentConfigInput,
} from './config';
export { AGENT_VERSION } from './version';
