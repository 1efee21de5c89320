import 'reflect-metadata';

import { runTaskWorker } from '@ferry/messaging';

import { importerWorker } from './importer.worker';

runTaskWorker(importerWorker);
