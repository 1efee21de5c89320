module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'importer',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
