// Shared Jest settings for every project's specs (ts-jest, transpile only: `nx lint` and the type
// check do the type checking) and the summary reporter that .ci/run reads. Two tiers per project:
// `*.spec.ts` (the `test` target) need nothing but Node and run anywhere in seconds;
// `*.integration-spec.ts` (the `integration` target) talk to a real PostgreSQL and/or NATS.
const path = require('path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const base = {
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }],
  },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: __dirname + '/' }),
  // Hooks drop test databases; DROP DATABASE waits for a checkpoint, seconds on a busy disk.
  testTimeout: 30_000,
  reporters: ['default', path.join(__dirname, 'tools/jest-summary-reporter.cjs')],
};

/** A project's Jest config for one tier: `unit` (*.spec.ts) or `integration` (*.integration-spec.ts). */
function project(dir, name, tier = 'unit') {
  const suffix = tier === 'unit' ? 'spec' : 'integration-spec';
  return {
    ...base,
    displayName: tier === 'unit' ? name : `${name} (integration)`,
    rootDir: dir,
    testMatch: [`<rootDir>/src/**/*.${suffix}.ts`],
    // A worker app whose logic all lives in libs may have integration specs only.
    passWithNoTests: tier === 'unit',
  };
}

module.exports = { base, project };
