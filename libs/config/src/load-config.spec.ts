import { IsInt, Max, Min } from 'class-validator';

import { BaseConfig } from './base.config';
import { ConfigError, loadConfig } from './load-config';

class TestConfig extends BaseConfig {
  @IsInt()
  @Min(1)
  @Max(10)
  WORKERS = 2;
}

describe('loadConfig', () => {
  it('uses defaults when variables are absent or empty', () => {
    const cfg = loadConfig(TestConfig, { WORKERS: '' });
    expect(cfg.WORKERS).toBe(2);
    expect(cfg.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(cfg.FERRY_MIGRATE_ON_START).toBe(true);
  });

  it('converts numbers and booleans from strings', () => {
    const cfg = loadConfig(TestConfig, { WORKERS: '7', FERRY_MIGRATE_ON_START: 'false' });
    expect(cfg.WORKERS).toBe(7);
    expect(cfg.FERRY_MIGRATE_ON_START).toBe(false);
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig(TestConfig, { WORKERS: '99', DATABASE_URL: 'mysql://x', NATS_URL: 'http://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/WORKERS=/);
    expect(problems).toMatch(/DATABASE_URL=/);
    expect(problems).toMatch(/NATS_URL=/);
    expect((error as ConfigError).problems).toHaveLength(3);
  });
});
