import { existsSync, readdirSync, readFileSync } from 'fs';
import { extname, join, relative, sep } from 'path';

import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import type { Response } from 'express';

import { FerryError } from '@ferry/contracts';

import { Public } from '../auth/principal';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Where the page's files are: next to the bundle (`dist/apps/gateway/ui`, copied by webpack)
 * or, when run from source (unit tests), next to this file.
 */
function assetsDir(): string {
  const dirs = [join(__dirname, 'ui'), join(__dirname, 'assets')];
  const found = dirs.find((d) => existsSync(join(d, 'index.html')));
  if (!found) throw new Error(`The dashboard's files are in none of ${dirs.join(', ')}`);
  return found;
}

/** Every servable file under `dir`, by its path relative to it with `/` separators. */
function readAssets(dir: string, root = dir, out = new Map<string, Buffer>()): Map<string, Buffer> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) readAssets(full, root, out);
    else if (TYPES[extname(entry.name)])
      out.set(relative(root, full).split(sep).join('/'), readFileSync(full));
  }
  return out;
}

/**
 * The console (`/ui`): static HTML, CSS and ES modules with no build step and nothing from a CDN
 * (docs/DECISIONS.md 160). Public, because the page itself holds no data: it asks for the API key
 * and sends it as the `x-api-key` header on every API call (the key never goes into a URL). Pages
 * are addressed by the fragment (`/ui#/tasks/task_…`), so the server has one page to serve and an
 * unknown file stays a 404. Files are read once at start, from a fixed set: no path reaches the disk.
 */
@ApiExcludeController()
@Controller('ui')
@Public()
export class UiController {
  private readonly files: Map<string, Buffer>;

  constructor() {
    this.files = readAssets(assetsDir());
  }

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('*path')
  asset(@Param('path') path: string | string[], @Res() res: Response): void {
    const file = (Array.isArray(path) ? path.join('/') : path) || 'index.html'; // `/ui/`
    if (!this.files.has(file)) throw FerryError.notFound('File', file);
    this.send(res, file);
  }

  private send(res: Response, file: string): void {
    res.setHeader('content-type', TYPES[extname(file)]);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    );
    res.setHeader('x-content-type-options', 'nosniff');
    res.status(200).send(this.files.get(file));
  }
}
