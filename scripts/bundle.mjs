// Bundles the VS Code extension with esbuild into dist/ (client, language server, analysis worker,
// WASM files, schema, z3-solver) and, with --package, builds the .vsix from a staging folder.
//
//   node scripts/bundle.mjs              bundle into dist/
//   node scripts/bundle.mjs --package    bundle, then write perfcontract-VERSION.vsix at the root
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const dist = path.join(root, 'dist');

// z3-solver is an emscripten build that starts worker threads from its own files, so it is not
// bundled: it ships as a package under dist/node_modules, where require() from dist/ finds it.
const EXTERNAL_PACKAGES = ['z3-solver', 'async-mutex', 'tslib'];

export async function bundle({ log = console.log } = {}) {
  const esbuild = await import('esbuild');
  const serverEntry = path.join(root, 'server/src/lsp/main.ts');
  const workerEntry = path.join(root, 'server/src/lsp/analysisWorker.ts');
  for (const entry of [serverEntry, workerEntry]) {
    if (!fs.existsSync(entry)) throw new Error(`BUNDLE001 ${path.relative(root, entry)} is missing: the language server must be built before the extension can be bundled`);
  }
  fs.rmSync(dist, { recursive: true, force: true });
  fs.mkdirSync(dist, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
    legalComments: 'none',
    // The parsers fall back to require.resolve() only when the WASM file is not next to the
    // bundle, which the copies below rule out.
    logOverride: { 'require-resolve-not-external': 'silent' },
  };
  await esbuild.build({ ...common, entryPoints: { extension: path.join(root, 'client/src/extension.ts') }, outdir: dist, external: ['vscode'] });
  await esbuild.build({ ...common, entryPoints: { server: serverEntry, analysisWorker: workerEntry }, outdir: dist, external: ['z3-solver'], plugins: [commonJsWebTreeSitter] });

  // The parsers look for their WASM next to the running script first (see cParser.ts).
  copy(require.resolve('web-tree-sitter/tree-sitter.wasm'), path.join(dist, 'tree-sitter.wasm'));
  copy(require.resolve('tree-sitter-c/tree-sitter-c.wasm'), path.join(dist, 'tree-sitter-c.wasm'));
  // declaredContracts.ts reads the declared-contract schema next to the running script.
  copy(path.join(root, 'docs/pcontract.schema.json'), path.join(dist, 'pcontract.schema.json'));
  // The built-in C library contracts, which declaredContracts.ts also reads next to the running script.
  copy(path.join(root, 'docs/libc.pcontract.json'), path.join(dist, 'libc.pcontract.json'));
  copy(path.join(root, 'docs/bpf.pcontract.json'), path.join(dist, 'bpf.pcontract.json'));
  copy(path.join(root, 'docs/dpdk.pcontract.json'), path.join(dist, 'dpdk.pcontract.json'));
  for (const name of EXTERNAL_PACKAGES) copyPackage(name, path.join(dist, 'node_modules', name));
  const size = folderSize(dist);
  log(`bundled into dist/ (${(size / 1024 / 1024).toFixed(1)} MiB)`);
  return dist;
}

// TypeScript's `import` would select web-tree-sitter's ES module build, which finds its WASM file
// through import.meta.url, empty in a CommonJS bundle; its CommonJS build uses __dirname instead.
const commonJsWebTreeSitter = {
  name: 'commonjs-web-tree-sitter',
  setup(build) {
    build.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') }));
  },
};

/** Builds the .vsix from a staging folder that holds only what the extension needs. */
export async function packageVsix({ log = console.log } = {}) {
  await bundle({ log });
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const stage = path.join(root, '.cache', 'vsix-stage');
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  // The root manifest also describes the npm package of the CLI (`files`, `bin`, dependencies);
  // the extension ships bundled, so those keys are left out of the staged copy.
  const staged = { ...manifest };
  for (const key of ['files', 'bin', 'scripts', 'dependencies', 'devDependencies', 'private']) delete staged[key];
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(staged, null, 2) + '\n');
  // The stage holds only what ships; the ignore file only says so to vsce.
  fs.writeFileSync(path.join(stage, '.vscodeignore'), '# Everything in this staging folder ships.\n');
  fs.writeFileSync(path.join(stage, 'README.md'), withoutRelativeLinks(fs.readFileSync(path.join(root, 'docs/extension.md'), 'utf8')));
  fs.cpSync(dist, path.join(stage, 'dist'), { recursive: true });
  for (const file of ['docs/pcontract.schema.json', 'docs/contract.schema.json']) copy(path.join(root, file), path.join(stage, file));
  for (const file of fs.readdirSync(path.join(root, 'syntaxes')).filter((f) => f.endsWith('.json'))) copy(path.join(root, 'syntaxes', file), path.join(stage, 'syntaxes', file));
  const out = path.join(root, `${manifest.name}-${manifest.version}.vsix`);
  fs.rmSync(out, { force: true });
  const vsce = path.join(path.dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
  const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', out], {
    cwd: stage,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`BUNDLE002 vsce package failed with exit code ${result.status}`);
  log(`packaged ${path.relative(root, out)} (${(fs.statSync(out).size / 1024 / 1024).toFixed(2)} MiB)`);
  return out;
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/** Copies a package's runtime files (no type declarations, maps or docs). */
function copyPackage(name, to) {
  const from = path.dirname(require.resolve(`${name}/package.json`));
  fs.cpSync(from, to, {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(from, source);
      if (relative === '') return true;
      if (relative.split(path.sep).includes('node_modules')) return false;
      if (fs.statSync(source).isDirectory()) return true;
      return /\.(js|cjs|mjs|wasm|json)$/.test(source) || /^LICENSE/i.test(path.basename(source));
    },
  });
}

function folderSize(folder) {
  let total = 0;
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    total += entry.isDirectory() ? folderSize(full) : fs.statSync(full).size;
  }
  return total;
}

/** The Marketplace page cannot resolve links into the repository, so they become plain text. */
function withoutRelativeLinks(markdown) {
  return markdown.replace(/\[([^\]]+)\]\((?!https?:|#)[^)]+\)/g, '$1');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const action = process.argv.includes('--package') ? packageVsix : bundle;
  action().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
