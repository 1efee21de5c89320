/** Why a stream was refused: its key holds its share, or the whole gateway process is full. */
export type StreamRefusal = { refused: 'key' | 'process'; limit: number };

/** A held slot; `release` may be called any number of times and frees it once. */
export interface StreamSlot {
  release(): void;
}

/**
 * Counts the open event streams (`GET /v1/tasks/{id}/events`) of each API key and of this gateway
 * process, and refuses one more past either cap (docs/API.md §1). Each stream holds a socket, a
 * watcher and up to 1 MiB of backlog for as long as its task runs, so without a cap one key could
 * hold any number open (300 at once were tried) and starve the others.
 */
export class StreamSlots {
  private readonly byKey = new Map<string, number>();
  private total = 0;

  constructor(
    readonly perKey: number,
    readonly perProcess: number,
  ) {}

  acquire(keyId: string): StreamSlot | StreamRefusal {
    const held = this.byKey.get(keyId) ?? 0;
    if (held >= this.perKey) return { refused: 'key', limit: this.perKey };
    if (this.total >= this.perProcess) return { refused: 'process', limit: this.perProcess };
    this.byKey.set(keyId, held + 1);
    this.total++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.byKey.get(keyId) ?? 1) - 1;
        // Memory follows the keys that hold streams, not every key ever seen.
        if (left === 0) this.byKey.delete(keyId);
        else this.byKey.set(keyId, left);
      },
    };
  }

  /** Streams open now: of one key, or of the whole process. */
  open(keyId?: string): number {
    return keyId === undefined ? this.total : (this.byKey.get(keyId) ?? 0);
  }
}
