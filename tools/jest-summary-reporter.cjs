// Appends one JSON line per Jest run to $FERRY_TEST_RESULTS (when set), so that the test script can
// print one `N passed, N failed` line over every project's run and the end-to-end suites.
const fs = require('fs');

class SummaryReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const file = process.env.FERRY_TEST_RESULTS;
    if (!file) return;
    const line = {
      config: this.globalConfig.rootDir,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suites: results.numTotalTestSuites,
      failedSuites: results.numFailedTestSuites,
      // The runtime the specs ran on (the test script checks its Node 24 stage really was).
      node: process.version,
    };
    fs.appendFileSync(file, JSON.stringify(line) + '\n');
  }
}

module.exports = SummaryReporter;
