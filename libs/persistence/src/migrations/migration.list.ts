import { Initial1795900000000 } from './1795900000000-initial';
import { EntityTables1795900000100 } from './1795900000100-entity-tables';
import { TaskSweeper1795900000300 } from './1795900000300-task-sweeper';
import { TaskCheckpoints1795900000400 } from './1795900000400-task-checkpoints';
import { RowWarnings1795900001000 } from './1795900001000-row-warnings';
import { ScheduledExports1795900002000 } from './1795900002000-scheduled-exports';
import { EventsPartitioned1795900003000 } from './1795900003000-events-partitioned';
import { TaskTurns1795900003100 } from './1795900003100-task-turns';
import { ImportRevert1795900004000 } from './1795900004000-import-revert';
import { Webhooks1795900004100 } from './1795900004100-webhooks';
import { ImportParts1795900007000 } from './1795900007000-import-parts';

/** Every migration in order, as classes (no globs: the apps are bundled with webpack). */
export const PERSISTENCE_MIGRATIONS = [
  Initial1795900000000,
  EntityTables1795900000100,
  TaskSweeper1795900000300,
  TaskCheckpoints1795900000400,
  RowWarnings1795900001000,
  ScheduledExports1795900002000,
  EventsPartitioned1795900003000,
  TaskTurns1795900003100,
  ImportRevert1795900004000,
  Webhooks1795900004100,
  ImportParts1795900007000,
];
