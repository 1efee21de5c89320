/** Connection and delivery settings shared by the publisher and the consumers. */
export interface MessagingConfig {
  /** Comma-separated NATS URLs, e.g. `nats://a:4222,nats://b:4222`. */
  servers: string;
  /** Subject / stream prefix (may be ''), see `Subjects` in @ferry/contracts. */
  prefix: string;
  /** Connection name, shown in the server's connz (helps to tell replicas apart). */
  name: string;
  /** How long the server waits for an ack (or a working() heartbeat) before redelivering. */
  ackWaitMs: number;
  /** Deliveries before a message is dead-lettered. */
  maxDeliver: number;
  /** nak delay by delivery number (index 0 = after the 1st delivery); the last value repeats. */
  backoffMs: number[];
  streamMaxAgeMs: number;
  /** Window in which JetStream drops a re-published msgID. */
  duplicateWindowMs: number;
  /** Stream replicas: 3 in production (docs/ARCHITECTURE.md), 1 on a single dev server. */
  streamReplicas: number;
  /** Pause between reconnect attempts; attempts themselves are unlimited. */
  reconnectTimeWaitMs: number;
}

export type MessagingConfigInput = Pick<MessagingConfig, 'servers'> & Partial<MessagingConfig>;

const DAY_MS = 24 * 60 * 60 * 1000;

export const MESSAGING_DEFAULTS: Readonly<Omit<MessagingConfig, 'servers'>> = {
  prefix: '',
  name: 'ferry',
  ackWaitMs: 30_000,
  maxDeliver: 5,
  backoffMs: [1_000, 5_000, 15_000, 30_000],
  streamMaxAgeMs: 7 * DAY_MS,
  duplicateWindowMs: 2 * 60 * 1000,
  streamReplicas: 1,
  reconnectTimeWaitMs: 2_000,
};

/** Fills the unset fields with the defaults above and rejects values NATS would refuse later. */
export function defaultMessagingConfig(partial: MessagingConfigInput): MessagingConfig {
  const defined = Object.fromEntries(
    Object.entries(partial).filter(([, value]) => value !== undefined),
  ) as MessagingConfigInput;
  const cfg: MessagingConfig = {
    ...MESSAGING_DEFAULTS,
    ...defined,
    backoffMs: [...(defined.backoffMs ?? MESSAGING_DEFAULTS.backoffMs)],
  };
  const problems: string[] = [];
  if (!cfg.servers.trim()) problems.push('servers is empty');
  if (!(cfg.ackWaitMs >= 1000)) problems.push('ackWaitMs must be >= 1000');
  if (!(Number.isInteger(cfg.maxDeliver) && cfg.maxDeliver >= 1))
    problems.push('maxDeliver must be an integer >= 1');
  if (cfg.backoffMs.some((ms) => !(ms >= 0))) problems.push('backoffMs must hold numbers >= 0');
  if (!(cfg.duplicateWindowMs > 0 && cfg.duplicateWindowMs <= cfg.streamMaxAgeMs)) {
    problems.push('duplicateWindowMs must be > 0 and <= streamMaxAgeMs');
  }
  if (problems.length) throw new Error(`Invalid messaging config: ${problems.join('; ')}`);
  return cfg;
}

/** Splits `servers` into the list nats.js expects. */
export function serverList(cfg: Pick<MessagingConfig, 'servers'>): string[] {
  return cfg.servers
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
