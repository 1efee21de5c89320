import { EntityType, TaskType } from './enums';
import { Subjects, TASK_STATUS_PATTERN, taskCreatedPattern } from './subjects';

describe('Subjects', () => {
  describe('without a prefix', () => {
    const s = new Subjects();

    it('uses the logical subjects as they are', () => {
      expect(s.prefix).toBe('');
      expect(s.resolve('task.created.import.events')).toBe('task.created.import.events');
      expect(s.taskCreated(TaskType.IMPORT, EntityType.EVENTS)).toBe('task.created.import.events');
      expect(s.taskCreated(TaskType.EXPORT, EntityType.FEATURES)).toBe(
        'task.created.export.features',
      );
      expect(s.taskStatus('task_01ABC')).toBe('task.status.task_01ABC');
      expect(s.tasksWildcard).toBe('task.>');
      expect(s.statusWildcard).toBe('task.status.>');
      expect(s.dlqWildcard).toBe('dlq.>');
      expect(s.deadLetter('task.created.import.prices')).toBe('dlq.task.created.import.prices');
      expect(s.tasksStream).toBe('TASKS');
      expect(s.dlqStream).toBe('DLQ');
    });
  });

  describe('with a prefix', () => {
    const s = new Subjects('ci-run_7');

    it('puts the prefix in front of every subject and the upper-cased prefix in front of streams', () => {
      expect(s.prefix).toBe('ci-run_7');
      expect(s.resolve('task.created.import.events')).toBe('ci-run_7.task.created.import.events');
      expect(s.taskCreated(TaskType.IMPORT, EntityType.CUSTOMERS)).toBe(
        'ci-run_7.task.created.import.customers',
      );
      expect(s.taskStatus('task_01ABC')).toBe('ci-run_7.task.status.task_01ABC');
      expect(s.tasksWildcard).toBe('ci-run_7.task.>');
      expect(s.statusWildcard).toBe('ci-run_7.task.status.>');
      expect(s.dlqWildcard).toBe('ci-run_7.dlq.>');
      expect(s.tasksStream).toBe('CI-RUN_7_TASKS');
      expect(s.dlqStream).toBe('CI-RUN_7_DLQ');
    });

    it('dead-letters a prefixed subject under the same prefix, without repeating it', () => {
      const original = s.taskCreated(TaskType.EXPORT, EntityType.PRICES);
      expect(s.deadLetter(original)).toBe('ci-run_7.dlq.task.created.export.prices');
    });

    it('keeps every subject of a prefix apart from the unprefixed ones', () => {
      expect(s.statusWildcard.startsWith('task.')).toBe(false);
      expect(s.deadLetter(s.taskStatus('t'))).not.toMatch(/^ci-run_7\.dlq\.ci-run_7/);
    });
  });

  it.each(['a.b', 'a b', 'a*', '>', 'ü', 'x.>'])('refuses the prefix %j', (prefix) => {
    expect(() => new Subjects(prefix)).toThrow(/NATS prefix/);
  });

  it('gives the logical patterns that handlers subscribe to', () => {
    expect(taskCreatedPattern(TaskType.IMPORT, EntityType.EVENTS)).toBe(
      'task.created.import.events',
    );
    expect(TASK_STATUS_PATTERN).toBe('task.status.>');
    expect(new Subjects('p').resolve(TASK_STATUS_PATTERN)).toBe('p.task.status.>');
  });
});
