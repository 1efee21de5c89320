export * from './feature.record';
export * from './features.import';
export {
  FEATURE_LIMITS,
  FEATURE_REQUIRED_COLUMNS,
  FeatureRowMapper,
  lookupKeyFromName,
} from './feature-row.mapper';
export { writeFeatureBatch } from './feature-batch.writer';
export * from './features.export';
