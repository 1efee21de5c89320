// Follows a task to its end over SSE, reconnecting when the stream drops before the end.
import { setTimeout as sleep } from 'node:timers/promises';

import { ApiError } from './client.mjs';

export const isFinal = (status) => status === 'COMPLETED' || status === 'FAILED';

/**
 * Shows every progress message in `view` and resolves with the task as it ended. The server
 * sends the current state on every connection, so a reconnect loses nothing; a client error
 * (401, 403, 404) is final, anything else is retried a few times.
 */
export async function followTask(client, id, view, { retries = 6 } = {}) {
  let failures = 0;
  for (;;) {
    let last = null;
    try {
      last = await client.streamEvents(id, (snap) => {
        failures = 0;
        view.update(snap);
      });
    } catch (err) {
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429)
        throw err;
      if (++failures > retries) throw err;
    }
    if (last && isFinal(last.task.task_status)) return last.task;
    // The stream ended early (a gateway restart, a proxy timeout): ask once, then listen again.
    const task = await client.getTask(id).catch(() => null);
    if (task && isFinal(task.task_status)) return task;
    await sleep(Math.min(500 * 2 ** failures, 10_000));
  }
}
