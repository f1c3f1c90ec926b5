// Checks the packaged .vsix: its size, that it holds the manifest, bundles, WASM files, schemas and
// grammars (and no sources), and that the bundled language server starts from the unpacked archive
// and answers over stdio. `npm run package` builds the .vsix first (the root `npm test` does).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { readArchive, type ArchiveEntry } from './vsixArchive';

const root = path.resolve(__dirname, '..', '..', '..');
const rootManifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  contributes: { configuration: { properties: Record<string, { default?: unknown; markdownDescription?: string }> }; commands: { command: string; category: string }[] };
};
const vsixPath = path.join(root, `${rootManifest.name}-${rootManifest.version}.vsix`);
const MAX_VSIX_BYTES = 20 * 1024 * 1024;

describe('the packaged extension', () => {
  let entries: ArchiveEntry[];
  let unpacked: string;

  before(() => {
    assert.ok(fs.existsSync(vsixPath), `${path.basename(vsixPath)} is missing: run "npm run package" first`);
    entries = readArchive(vsixPath);
    unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'perfcontract-vsix-'));
    for (const entry of entries) {
      const target = path.join(unpacked, entry.name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, entry.read());
    }
  });

  after(() => {
    if (unpacked) fs.rmSync(unpacked, { recursive: true, force: true });
  });

  test('is small and holds the manifest, bundles, WASM files, schemas and grammars', () => {
    const size = fs.statSync(vsixPath).size;
    console.log(`vsix: ${(size / 1024 / 1024).toFixed(2)} MiB, ${entries.length} files`);
    assert.ok(size < MAX_VSIX_BYTES, `the .vsix is ${size} bytes, above ${MAX_VSIX_BYTES}`);
    const names = new Set(entries.map((e) => e.name));
    for (const required of [
      'extension.vsixmanifest',
      '[Content_Types].xml',
      'extension/package.json',
      'extension/readme.md',
      'extension/dist/extension.js',
      'extension/dist/server.js',
      'extension/dist/analysisWorker.js',
      'extension/dist/tree-sitter.wasm',
      'extension/dist/tree-sitter-c.wasm',
      'extension/dist/pcontract.schema.json',
      'extension/dist/libc.pcontract.json',
      'extension/dist/bpf.pcontract.json',
      'extension/dist/dpdk.pcontract.json',
      'extension/dist/node_modules/z3-solver/package.json',
      'extension/dist/node_modules/z3-solver/build/node.js',
      'extension/dist/node_modules/z3-solver/build/z3-built.js',
      'extension/dist/node_modules/z3-solver/build/z3-built.wasm',
      'extension/dist/node_modules/async-mutex/package.json',
      'extension/dist/node_modules/tslib/package.json',
      'extension/docs/pcontract.schema.json',
      'extension/docs/contract.schema.json',
      'extension/syntaxes/perfcontract-annotations.tmLanguage.json',
    ]) {
      assert.ok(names.has(required), `the .vsix lacks ${required}`);
    }
    const unwanted = [...names].filter((n) => /\.ts$|\.map$|^extension\/(client|server|e2e|test-fixtures|scripts|out|node_modules)\//.test(n));
    assert.deepEqual(unwanted, [], 'sources, maps and development folders stay out of the .vsix');
  });

  test('its manifest activates on C, ships the bundle and declares every contribution', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(unpacked, 'extension', 'package.json'), 'utf8'));
    assert.equal(manifest.main, './dist/extension.js');
    assert.deepEqual(manifest.activationEvents, ['onLanguage:c']);
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(manifest.contributes.languages, undefined, 'the extension must not claim the C language');
    for (const key of ['files', 'bin', 'dependencies', 'devDependencies', 'scripts']) assert.equal(manifest[key], undefined, `the staged manifest drops ${key}`);
    assert.deepEqual(
      manifest.contributes.commands.map((c: { command: string }) => c.command).sort(),
      ['perfcontract.compareContract', 'perfcontract.evaluateClass', 'perfcontract.generateContract', 'perfcontract.generateFileContract', 'perfcontract.predictTrace', 'perfcontract.restartServer', 'perfcontract.showOutput', 'perfcontract.showWorstCase'],
    );
    assert.ok(manifest.contributes.commands.every((c: { category: string }) => c.category === 'Performance Contracts'));
    const settings = Object.keys(manifest.contributes.configuration.properties).sort();
    assert.deepEqual(settings, [
      'perfcontract.adversarialFactor',
      'perfcontract.baseline',
      'perfcontract.baselineGrowthPercent',
      'perfcontract.budgets',
      'perfcontract.cacheDirectory',
      'perfcontract.debounceMs',
      'perfcontract.defines',
      'perfcontract.fullUnrollLimit',
      'perfcontract.includePaths',
      'perfcontract.maxPaths',
      'perfcontract.metrics',
      'perfcontract.packetMaxLength',
      'perfcontract.preferContracts',
      'perfcontract.solverTimeoutMs',
      'perfcontract.throughput.clockGhz',
      'perfcontract.throughput.cyclesPerInstruction',
      'perfcontract.timeLimitMs',
      'perfcontract.unrollLimit',
      'perfcontract.x86.cflags',
      'perfcontract.x86.enabled',
      'perfcontract.x86.init',
    ]);
    // Settings that compile or run user code, or point the analysis elsewhere, are off in Restricted Mode.
    const restricted = (manifest as unknown as { capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } } }).capabilities.untrustedWorkspaces.restrictedConfigurations;
    for (const key of ['perfcontract.x86.enabled', 'perfcontract.x86.cflags', 'perfcontract.x86.init', 'perfcontract.includePaths', 'perfcontract.baseline']) assert.ok(restricted.includes(key), `${key} is restricted`);
    assert.equal(manifest.contributes.configuration.properties['perfcontract.x86.enabled']!.default, false);
    for (const [key, setting] of Object.entries(manifest.contributes.configuration.properties as Record<string, { default?: unknown; markdownDescription?: string }>)) {
      assert.ok(setting.default !== undefined && setting.markdownDescription, `${key} has a default and a description`);
    }
    for (const grammar of manifest.contributes.grammars) assert.ok(fs.existsSync(path.join(unpacked, 'extension', grammar.path)), `${grammar.path} is in the .vsix`);
    for (const validation of manifest.contributes.jsonValidation) assert.ok(fs.existsSync(path.join(unpacked, 'extension', validation.url)), `${validation.url} is in the .vsix`);
  });

  test('the bundled server starts from the unpacked .vsix, answers initialize over stdio and analyses a file', { timeout: 120_000 }, async () => {
    const server = startServer(path.join(unpacked, 'extension', 'dist', 'server.js'));
    try {
      const result = (await server.beforeExit(
        server.connection.sendRequest('initialize', {
          processId: process.pid,
          rootUri: null,
          workspaceFolders: null,
          capabilities: { workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true } } },
          initializationOptions: {},
        }),
      )) as { capabilities: Record<string, unknown> & { executeCommandProvider?: { commands: string[] } } };
      assert.ok(result.capabilities.hoverProvider, 'the server offers hovers');
      assert.ok(result.capabilities.codeLensProvider, 'the server offers code lenses');
      assert.deepEqual(
        [...(result.capabilities.executeCommandProvider?.commands ?? [])].sort(),
        ['perfcontract.server.evaluateClass', 'perfcontract.server.functionAt', 'perfcontract.server.generateContract', 'perfcontract.server.showWorstCase'],
      );
      server.connection.sendNotification('initialized', {});

      // One analysis through the bundle exercises the bundled tree-sitter WASM files and z3.
      const fixture = path.join(root, 'test-fixtures', 'packet_parser.c');
      const uri = pathToFileURL(fixture).toString();
      const settled = new Promise<{ state: string; message: string }>((resolve) => {
        server.connection.onNotification('perfcontract/status', (status: { state: string; message: string; uri?: string }) => {
          if (status.state !== 'analysing') resolve(status);
        });
      });
      server.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: fs.readFileSync(fixture, 'utf8') } });
      const status = await server.beforeExit(settled);
      assert.equal(status.state, 'upToDate', `the analysis of packet_parser.c ends up to date: ${status.message}`);
      const lenses = (await server.beforeExit(server.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } }))) as {
        command?: { title: string; command: string; arguments?: unknown[] };
      }[];
      const costLens = lenses.find((l) => /^\d+(-\d+)? instr\b/.test(l.command?.title ?? ''));
      assert.ok(costLens, `a lens states a cost; got ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
      assert.ok(
        lenses.some((l) => l.command?.command === 'perfcontract.server.generateContract'),
        'a lens runs the server command that the client rewrites to Generate Contract',
      );

      await server.beforeExit(server.connection.sendRequest('shutdown'));
      server.connection.sendNotification('exit');
      const code = await server.exited;
      assert.equal(code, 0, `the server exits cleanly after shutdown and exit; stderr:\n${server.stderr()}`);
    } finally {
      server.dispose();
    }
  });
});

interface RunningServer {
  connection: MessageConnection;
  exited: Promise<number | null>;
  stderr: () => string;
  /** Settles like `request`, or rejects with the server's standard error if it exits first. */
  beforeExit: <T>(request: Promise<T>) => Promise<T>;
  dispose: () => void;
}

function startServer(module: string): RunningServer {
  const child: ChildProcess = spawn(process.execPath, [module, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  connection.onRequest(() => null);
    connection.listen();
  return {
    connection,
    exited,
    stderr: () => stderr,
    beforeExit: <T>(request: Promise<T>) =>
      Promise.race([request, exited.then((code): never => {
        throw new Error(`the server exited with code ${code} before answering; its standard error:\n${stderr}`);
      })]),
    dispose: () => {
      connection.dispose();
      if (child.exitCode === null) child.kill();
    },
  };
}
