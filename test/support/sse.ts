/** One Server-Sent Events message as a client sees it. */
export interface SseMessage {
  event: string;
  id?: string;
  data: any;
  /** When it arrived (ms since the request started). */
  at: number;
}

export interface SseResult {
  status: number;
  contentType: string | null;
  messages: SseMessage[];
  /** Comment lines (`: heartbeat`). */
  comments: string[];
  /** The JSON error body when the answer was not a stream. */
  error?: any;
  /** ms from the request to the server closing the stream. */
  durationMs: number;
}

/**
 * Reads `GET /v1/tasks/{id}/events` to its end the way a client would (fetch + stream reader, the
 * key in the x-api-key header). `onMessage` sees every message as it arrives.
 */
export async function readSse(
  url: string,
  apiKey: string | undefined,
  onMessage?: (m: SseMessage) => void,
  timeoutMs = 120_000,
): Promise<SseResult> {
  const started = Date.now();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const result: SseResult = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    messages: [],
    comments: [],
    durationMs: 0,
  };
  if (!res.ok || !res.body) {
    result.error = await res.json().catch(() => null);
    result.durationMs = Date.now() - started;
    return result;
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const m: SseMessage = { event: 'message', data: '', at: Date.now() - started };
      let hasData = false;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) result.comments.push(line.slice(1).trim());
        else if (line.startsWith('event: ')) m.event = line.slice(7);
        else if (line.startsWith('id: ')) m.id = line.slice(4);
        else if (line.startsWith('data: ')) {
          m.data = JSON.parse(line.slice(6));
          hasData = true;
        }
      }
      if (hasData) {
        result.messages.push(m);
        onMessage?.(m);
      }
    }
  }
  result.durationMs = Date.now() - started;
  return result;
}
