import { randomBytes } from 'crypto';

import { FerryApi } from '../support/api';
import { eventsCsv } from '../support/events-csv';
import { type FerrySystem, startFerry } from '../support/ferry-system';
import { FileServer } from '../support/file-server';
import { OtlpReceiver } from '../support/otlp-receiver';

/** One trace follows a task from the caller's HTTP request through the importer to the status service. */
describe('tracing across services', () => {
  let ferry: FerrySystem;
  let files: FileServer;
  let otlp: OtlpReceiver;

  beforeAll(async () => {
    otlp = await new OtlpReceiver().start();
    files = await new FileServer().start();
    ferry = await startFerry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url } });
  });

  afterAll(async () => {
    await ferry?.stop();
    await files?.stop();
    await otlp?.stop();
  });

  it('carries the caller’s trace id through gateway, importer (batch writes) and status', async () => {
    const traceId = randomBytes(16).toString('hex');
    const api = new FerryApi(ferry.baseUrl, ferry.apiKey);
    const created = await api.createTask(
      {
        task_type: 'IMPORT',
        entity_type: 'EVENTS',
        file_type: 'CSV',
        file_url: files.add('traced.csv', eventsCsv(25_000, 'tr')),
      },
      { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    expect(created.status).toBe(202);
    expect((await api.waitForTask(created.body.id)).task_status).toBe('COMPLETED');

    const services = () =>
      new Set(otlp.spans.filter((s) => s.traceId === traceId).map((s) => s.service));
    const deadline = Date.now() + 15_000;
    while (services().size < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));

    const inTrace = otlp.spans.filter((s) => s.traceId === traceId);
    expect([...services()].sort()).toEqual(['ferry-gateway', 'ferry-importer', 'ferry-status']);
    expect(
      inTrace.filter((s) => s.service === 'ferry-importer' && s.name === 'import batch').length,
    ).toBeGreaterThanOrEqual(3);
    expect(inTrace.some((s) => s.service === 'ferry-status' && s.name === 'status process')).toBe(
      true,
    );
    // Every span of the trace hangs off another span of it, except the gateway's, whose parent is the caller.
    const ids = new Set(inTrace.map((s) => s.spanId));
    for (const s of inTrace.filter((x) => x.service !== 'ferry-gateway'))
      expect(ids.has(s.parentSpanId ?? '')).toBe(true);
  });
});
