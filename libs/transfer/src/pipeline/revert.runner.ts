import type { PoolClient } from 'pg';
import { type DataSource } from 'typeorm';

import { FerryError, type TaskCreatedEvent, TaskType } from '@ferry/contracts';
import {
  type Checkpoint,
  CheckpointRepository,
  TaskRowErrorRepository,
  TaskStateRepository,
  withClient,
} from '@ferry/persistence';

import type { EntityImportDefinition } from '../entity-definition';
import { applyRevert, keptRowError, type RevertTarget } from './import-revert';
import { type StatusPublisher } from './status.publisher';
import { counters, news, sampleErrors } from './status-news';

/**
 * A revert task (docs/API.md §5): an IMPORT task whose `metadata.revert_of` names the import to
 * undo, run by the importer of its entity type. The whole revert, its kept rows (listed in its
 * `/errors`) and its final checkpoint commit in one transaction, so it happens once however often
 * its message is delivered (docs/ARCHITECTURE.md invariant 2); a delivery that dies before the
 * COMMIT changed nothing. Counters: processed = reverted + kept, successful = reverted,
 * failed = kept (nothing else can fail a row: a statement that fails fails the task).
 */
export class RevertRunner {
  private readonly checkpoints = new CheckpointRepository();
  private readonly rowErrors: TaskRowErrorRepository;
  private readonly tasks: TaskStateRepository;

  constructor(
    private readonly ds: DataSource,
    private readonly status: StatusPublisher,
  ) {
    this.rowErrors = new TaskRowErrorRepository(ds);
    this.tasks = new TaskStateRepository(ds);
  }

  async revert(
    task: TaskCreatedEvent,
    originalId: string,
    definition: EntityImportDefinition<unknown>,
    start: Checkpoint,
  ): Promise<void> {
    let cp = await withClient(this.ds, (c) => this.checkpoints.bumpSeq(c, start));
    await this.status.publishProgress(task.task_id, {
      kind: 'started',
      seq: cp.seq,
      counters: counters(cp),
    });
    const target: RevertTarget = {
      taskId: originalId,
      entity: task.entity_type,
      tenantId: task.tenant_id,
      environmentId: task.environment_id,
    };
    const shape = definition.revert;
    const outcome = await withClient(this.ds, async (c) => {
      await c.query('BEGIN');
      try {
        await this.tasks.assertStillRunning(c, task.task_id, task.attempt);
        await this.checkOriginal(c, target);
        const done = await applyRevert(c, shape, target);
        const errors = done.kept.map((k, i) => keptRowError(k, i + 1, shape));
        await this.rowErrors.insert(c, task.task_id, cp.part, errors);
        const reverted = done.deleted + done.restored;
        cp = await this.checkpoints.advance(c, cp, {
          records: reverted + errors.length,
          successful: reverted,
          failed: errors.length,
          duplicates: 0,
          errorSamples: sampleErrors([], errors),
          totalRecords: reverted + errors.length,
        });
        await c.query('COMMIT');
        return done;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
    await this.status.publish(
      task.task_id,
      news('completed', cp, {
        revert_of: originalId,
        reverted: outcome.deleted + outcome.restored,
        deleted: outcome.deleted,
        restored: outcome.restored,
        kept: outcome.kept.length,
        errored: 0,
      }),
    );
  }

  /** The import to undo must be this scope's, of this entity type, and not a dry run or revert. */
  private async checkOriginal(c: PoolClient, t: RevertTarget): Promise<void> {
    const { rows } = await c.query<{
      task_type: string;
      entity_type: string;
      tenant_id: string;
      environment_id: string;
    }>('SELECT task_type, entity_type, tenant_id, environment_id FROM tasks WHERE id = $1', [
      t.taskId,
    ]);
    const o = rows[0];
    if (
      !o ||
      o.task_type !== TaskType.IMPORT ||
      o.entity_type !== t.entity ||
      o.tenant_id !== t.tenantId ||
      o.environment_id !== t.environmentId
    ) {
      throw FerryError.validation(
        `metadata.revert_of ${t.taskId} names no ${t.entity} import of this environment`,
      );
    }
  }
}
