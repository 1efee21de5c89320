import { Writable } from 'stream';

import { withLogContext } from './log-context';
import { createLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, logger: createLogger('t', 'log', sink) };
}

describe('JsonLogger', () => {
  it('writes one JSON line with the Nest context and the unit of work’s fields', async () => {
    const { lines, logger } = capture();
    withLogContext({ task_id: 'task_1', tenant_id: 'tenant_1' }, () =>
      logger.log('started', 'ImportRunner'),
    );
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      msg: 'started',
      context: 'ImportRunner',
      service: 't',
      task_id: 'task_1',
      tenant_id: 'tenant_1',
    });
    expect(typeof lines[0].time).toBe('string');
  });

  it('leaves out entries below its level', async () => {
    const lines: unknown[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, done) => (lines.push(c), done()) });
    const logger = createLogger('t', 'warn', sink);
    logger.log('info is quiet');
    logger.warn('warn is kept');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
  });

  it('redacts presigned query strings and keys in messages and stacks', async () => {
    const { lines, logger } = capture();
    logger.error(
      'GET https://h/x.csv?X-Amz-Signature=s failed',
      'Error: at fry_secretsecret123',
      'Http',
    );
    await new Promise((r) => setImmediate(r));
    expect(lines[0].msg).toBe('GET https://h/x.csv?<redacted> failed');
    expect(lines[0].stack).toBe('Error: at fry_<redacted>');
    expect(JSON.stringify(lines[0])).not.toMatch(/Signature=s|secretsecret/);
  });
});
