import { derivedId, idTime, newId } from '@ferry/contracts';

import { DerivedEventIds } from './derived-event-id';

describe('DerivedEventIds', () => {
  it('derives exactly what contracts derivedId derives, for many lines', () => {
    const taskId = newId('task');
    const ids = new DerivedEventIds(taskId);
    for (let line = 1; line < 2000; line += 7) {
      expect(ids.forLine(line)).toBe(derivedId('event', idTime(taskId), `${taskId}:${line}`));
    }
  });

  it('is stable for a task and differs between tasks and lines', () => {
    const a = new DerivedEventIds('task_01HZX3K5V7R8Y9Z0ABCDEFGHJK');
    const b = new DerivedEventIds('task_01HZX3K5V7R8Y9Z0ABCDEFGHJM');
    expect(a.forLine(2)).toBe(new DerivedEventIds('task_01HZX3K5V7R8Y9Z0ABCDEFGHJK').forLine(2));
    expect(a.forLine(2)).not.toBe(a.forLine(3));
    expect(a.forLine(2)).not.toBe(b.forLine(2));
    expect(a.forLine(2)).toMatch(/^event_01HZX3K5V7[0-9A-HJKMNP-TV-Z]{16}$/);
  });
});
