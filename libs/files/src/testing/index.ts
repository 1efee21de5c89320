// Test helpers of @ferry/files (a real S3-protocol server for specs); not part of the app bundles.
export * from './s3.test-server';
