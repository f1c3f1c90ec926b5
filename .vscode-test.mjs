// Configuration of the @vscode/test-electron suite (run by @vscode/test-cli) for the VS Code client.
// The client and its editor tests are not built yet; this file names where they will live so that
// `vscode-test` finds them once they exist. It downloads VS Code, so it needs the internet.
export default {
  files: 'out/client/test/**/*.test.js',
  workspaceFolder: './test-fixtures',
  mocha: { timeout: 60000 },
};
