module.exports = require('../../tools/build/node-app.webpack.cjs')(__dirname, {
  // The dashboard's static files (/ui), served as they are: no build step.
  assets: [{ input: './src/ui/assets', glob: '**/*', output: 'ui' }],
});
