// Shared Jest settings for every project's unit tests (ts-jest, transpile only: `nx lint`/`nx build`
// do the type checking) and the summary reporter that .ci/run reads.
const path = require('path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

module.exports = {
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
