module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'status',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
