module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'files',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
