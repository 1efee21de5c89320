#!/usr/bin/env node
// `npm run migrate`: run pending TypeORM migrations against DATABASE_URL and exit. The same entry
// point the Kubernetes migrations Job runs: the gateway bundle with the `migrate` argument.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { nx, root } from './lib/system.mjs';

const entry = path.join(root, 'dist/apps/gateway/main.js');
if (!existsSync(entry)) nx(['build', 'gateway']);
const r = spawnSync(process.execPath, [entry, 'migrate'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
