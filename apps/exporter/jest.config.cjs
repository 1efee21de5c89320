module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'exporter',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
