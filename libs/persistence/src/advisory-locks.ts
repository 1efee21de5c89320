/**
 * Keys of the session- and transaction-level advisory locks Ferry takes. Fixed numbers, so every
 * replica of every service contends on the same lock; distinct, so they never block each other.
 */
export const ADVISORY_LOCKS = {
  /** Held while migrations run: four services starting at once run them one after the other. */
  migrations: 7_246_100_001,
  /** Held while default credentials are created, so concurrent boots create one key. */
  defaultCredentials: 7_246_100_002,
} as const;
