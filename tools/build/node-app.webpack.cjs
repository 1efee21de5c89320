// The webpack config every service shares: one Node bundle per app in dist/apps/<name>, compiled
// by tsc from its own tsconfig.app.json. `assets` adds files copied as they are (the dashboard).
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { basename, join } = require('path');

module.exports = function nodeAppConfig(appDir, { assets = [] } = {}) {
  return {
    output: { path: join(__dirname, '../../dist/apps', basename(appDir)), clean: true },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: false,
        sourceMap: true,
        assets,
      }),
    ],
  };
};
