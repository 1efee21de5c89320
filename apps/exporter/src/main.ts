import 'reflect-metadata';

import { runTaskWorker } from '@ferry/transfer';

import { exporterWorker } from './exporter.worker';

runTaskWorker(exporterWorker);
