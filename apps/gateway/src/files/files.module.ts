import { randomBytes } from 'crypto';

import type { Provider, Type } from '@nestjs/common';

import { ObjectStorages, UrlSigner } from '@ferry/files';
import { JetStreamClient } from '@ferry/messaging';

import type { GatewayConfig } from '../gateway.config';
import { DownloadController } from './download.controller';
import { DownloadsService } from './downloads.service';
import { FilesController } from './files.controller';
import { UploadsController } from './uploads.controller';
import { UploadsService } from './uploads.service';

/** Downloads of exports, signed store links, uploads: everything the gateway does with objects. */
export const FILES_CONTROLLERS: Type[] = [DownloadController, FilesController, UploadsController];

export function filesProviders(config: GatewayConfig): Provider[] {
  return [
    {
      provide: ObjectStorages,
      useFactory: (js: JetStreamClient) => ObjectStorages.fromConfig(config, js.nc),
      inject: [JetStreamClient],
    },
    {
      provide: UrlSigner,
      // Without a configured secret, a random one: links then last as long as this process.
      useValue: new UrlSigner(config.FERRY_DOWNLOAD_SECRET || randomBytes(32).toString('hex')),
    },
    DownloadsService,
    UploadsService,
  ];
}
