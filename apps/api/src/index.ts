// @drover/api as a library: what tests, benchmarks and embedders need to run the API in-process. The process entry is
// server.ts.
export { buildApp, type App, type BuildOptions } from './app';
export { createApiContext } from './create-context';
export type { ApiContext } from './context';
export { hashPassword } from './services/auth-service';
export { ensurePredefinedConfigs } from './services';
export { hashSecret, newSecret } from './lib/secrets';
export { Gauge, metricsRegistry } from './plugins/metrics';
export { buildOpenApiDocument, stableJson } from './scripts/openapi-document';
export { OPENAPI_FILE } from './scripts/write-openapi';
export { MAX_STREAMS_PER_CALLER } from './routes/v1/stream-hub';
/** Tests put objects in a loopback S3-compatible server with the same client the API fetches them with. */
export { createS3Storage } from './storage/s3-storage';
