import 'reflect-metadata';

import { runTaskWorker } from '@ferry/transfer';

import { importerWorker } from './importer.worker';

runTaskWorker(importerWorker);
