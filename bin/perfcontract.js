#!/usr/bin/env node
// Command-line entry point; the implementation is compiled to out/ by `npm run build`.
require('../out/server/src/cli/main.js');
const { runCli } = require('../out/server/src/cli/main.js');
runCli(process.argv.slice(2), (t) => process.stdout.write(t + '\n'), (t) => process.stderr.write(t + '\n')).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`perfcontract: internal error: ${error && error.stack}\n`);
    process.exit(1);
  },
);
