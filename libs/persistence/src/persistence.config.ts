/** How a service reaches its PostgreSQL database. */
export interface PersistenceConfig {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Connections in the pool (pg default: 10). */
  poolSize?: number;
  /** Run pending migrations at start, under an advisory lock so replicas do not race. */
  migrationsRun?: boolean;
  /** Log every SQL statement (development only). */
  logging?: boolean;
  /** Shown in pg_stat_activity, to tell the services apart. */
  applicationName?: string;
  /**
   * The key connections' secrets are sealed with (FERRY_SECRETS_KEY): '' for none. Undefined for
   * a service that never reads a connection (its start does not check for one).
   */
  secretsKey?: string;
}
