/** The enums of the public API (docs/API.md §1). Values are upper case and exact on the wire. */
export enum TaskType {
  IMPORT = 'IMPORT',
  EXPORT = 'EXPORT',
}

export enum EntityType {
  EVENTS = 'EVENTS',
  PRICES = 'PRICES',
  CUSTOMERS = 'CUSTOMERS',
  FEATURES = 'FEATURES',
}

export enum FileType {
  CSV = 'CSV',
  JSON = 'JSON',
}

export enum TaskStatus {
  PENDING = 'PENDING',
  PROCESSING = 'PROCESSING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

/** The soft-delete status every Flexprice record carries. */
export enum RecordStatus {
  PUBLISHED = 'published',
  DELETED = 'deleted',
  ARCHIVED = 'archived',
}

export enum Permission {
  TASK_READ = 'task:read',
  TASK_WRITE = 'task:write',
  /** Manage API keys and environments (docs/API.md §2): apart from the task permissions. */
  KEY_MANAGE = 'key:manage',
}

export const ALL_PERMISSIONS: readonly Permission[] = [
  Permission.TASK_READ,
  Permission.TASK_WRITE,
  Permission.KEY_MANAGE,
];

/** What a key made through `POST /v1/secrets/api/keys` may do unless its request says less. */
export const TASK_PERMISSIONS: readonly Permission[] = [
  Permission.TASK_READ,
  Permission.TASK_WRITE,
];
