// Configuration of the @vscode/test-electron suite (run through client/electronTest/runElectronTests.mjs,
// which skips it when VS Code cannot be downloaded).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'perfcontract',
  files: 'out/client/electronTest/**/*.test.js',
  extensionDevelopmentPath: '.',
  workspaceFolder: './test-fixtures/nf',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'bdd', timeout: 300_000 },
});
