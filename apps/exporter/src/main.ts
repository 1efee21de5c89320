import 'reflect-metadata';

import { runTaskWorker } from '@ferry/messaging';

import { exporterWorker } from './exporter.worker';

runTaskWorker(exporterWorker);
