// @drover/agent/test-support: what tests outside the agent use to build bundles, including ones no well-behaved tool
// would produce. The agent's own tests also use agent-harness.ts (the real agent against a fake control plane).
export { makeTar, makeZip, type TarEntry, type ZipEntry } from './archives';
