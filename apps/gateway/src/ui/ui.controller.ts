import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import type { Response } from 'express';

import { FerryError } from '@ferry/contracts';

import { Public } from '../auth/principal';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
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

/**
 * The dashboard (`/ui`): static HTML, JS and CSS with no build step and nothing from a CDN.
 * Public, because the page itself holds no data: it asks for the API key and sends it as the
 * `x-api-key` header on every API call (the key never goes into a URL).
 */
@ApiExcludeController()
@Controller('ui')
@Public()
export class UiController {
  private readonly files: Map<string, Buffer>;

  constructor() {
    const dir = assetsDir();
    this.files = new Map(Object.keys(TYPES).map((f) => [f, readFileSync(join(dir, f))]));
  }

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (!this.files.has(file)) throw FerryError.notFound('File', file);
    this.send(res, file);
  }

  private send(res: Response, file: string): void {
    res.setHeader('content-type', TYPES[file]);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    );
    res.setHeader('x-content-type-options', 'nosniff');
    res.status(200).send(this.files.get(file));
  }
}
