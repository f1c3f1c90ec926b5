#!/usr/bin/env node
// Command-line entry point; the implementation is compiled to out/ by `npm run build` (run by npm install).
require('../out/server/src/cli/main.js').main(process.argv.slice(2));
