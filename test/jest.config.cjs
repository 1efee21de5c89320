// Cross-service suites: the four built services as processes against the real PostgreSQL and NATS.
const path = require('path');
const { base } = require('../jest.preset.cjs');

module.exports = {
  ...base,
  displayName: 'cross-service',
  rootDir: __dirname,
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.json') }],
  },
  testTimeout: 180_000,
};
