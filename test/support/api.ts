/** A thin client for the Ferry API, as a user's code would call it. */
export class FerryApi {
  constructor(
    readonly baseUrl: string,
    readonly apiKey: string,
  ) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...(this.apiKey ? { 'x-api-key': this.apiKey } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json, headers: res.headers };
  }

  createTask(body: Record<string, unknown>, headers: Record<string, string> = {}) {
    return this.request('POST', '/v1/tasks', body, headers);
  }

  /** POST /v1/tasks with a body written by hand (one JSON.stringify could not write). */
  async createTaskFromJson(json: string) {
    const res = await fetch(`${this.baseUrl}/v1/tasks`, {
      method: 'POST',
      headers: { 'x-api-key': this.apiKey, 'content-type': 'application/json' },
      body: json,
    });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  }

  getTask(id: string) {
    return this.request('GET', `/v1/tasks/${id}`);
  }

  /** Polls until the task is COMPLETED or FAILED; `onPoll` sees every state on the way. */
  async waitForTask(id: string, timeoutMs = 120_000, onPoll?: (task: any) => void): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, body } = await this.getTask(id);
      if (status !== 200) throw new Error(`GET task ${id}: ${status} ${JSON.stringify(body)}`);
      onPoll?.(body);
      if (body.task_status === 'COMPLETED' || body.task_status === 'FAILED') return body;
      if (Date.now() > deadline)
        throw new Error(
          `task ${id} still ${body.task_status} after ${timeoutMs} ms: ${JSON.stringify(body)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
