module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'entities',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
