// Test servers that are no part of the product: a loopback S3-compatible server.
export * from './s3-server';
