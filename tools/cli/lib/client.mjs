// The Ferry API as the CLI uses it: fetch with the x-api-key header, one error type, the SSE reader.
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';

/** An API answer that was not a success, with the server's error code and sentence. */
export class ApiError extends Error {
  constructor(status, body) {
    const message =
      body && typeof body === 'object' && body.message ? body.message : String(body || '');
    super(`${message || 'request failed'} (HTTP ${status}${body?.code ? `, ${body.code}` : ''})`);
    this.status = status;
    this.code = body?.code;
  }
}

export class FerryClient {
  constructor(apiUrl, apiKey) {
    this.apiUrl = apiUrl.replace(/\/+$/, '');
    this.apiKey = apiKey;
  }

  async request(method, path, { body, headers = {}, raw = false, signal } = {}) {
    let res;
    try {
      res = await fetch(this.apiUrl + path, {
        method,
        signal,
        headers: {
          ...(this.apiKey ? { 'x-api-key': this.apiKey } : {}),
          ...(body !== undefined && !(body instanceof Readable)
            ? { 'content-type': 'application/json' }
            : {}),
          ...headers,
        },
        body:
          body === undefined ? undefined : body instanceof Readable ? body : JSON.stringify(body),
        ...(body instanceof Readable ? { duplex: 'half' } : {}),
      });
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      throw new Error(`cannot reach ${this.apiUrl}: ${err.cause?.message ?? err.message}`);
    }
    if (raw && res.ok) return res;
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    if (!res.ok) throw new ApiError(res.status, json);
    return json;
  }

  /** The values of one of the API's enums (`EntityType`, …), from its OpenAPI document. */
  async apiEnum(name) {
    const doc = await this.request('GET', '/docs-json');
    const values = doc?.components?.schemas?.[name]?.enum;
    if (!Array.isArray(values)) throw new Error(`${this.apiUrl}/docs-json has no enum ${name}`);
    return values;
  }

  createTask(body) {
    return this.request('POST', '/v1/tasks', { body });
  }

  getTask(id) {
    return this.request('GET', `/v1/tasks/${encodeURIComponent(id)}`);
  }

  listTasks(filters) {
    const q = new URLSearchParams(
      Object.entries(filters).filter(([, v]) => v !== undefined && v !== ''),
    );
    return this.request('GET', `/v1/tasks?${q}`);
  }

  /** The rejected rows of an import as CSV text (GET /v1/tasks/{id}/errors). */
  async rejectedRows(id, kind = 'errors') {
    const res = await this.request('GET', `/v1/tasks/${encodeURIComponent(id)}/${kind}`, {
      raw: true,
    });
    return res.text();
  }

  /** The export's file as a web stream: GET /v1/tasks/{id}/download gives a short-lived URL. */
  async downloadExport(id) {
    const { download_url } = await this.request(
      'GET',
      `/v1/tasks/${encodeURIComponent(id)}/download`,
    );
    const res = await fetch(download_url);
    if (!res.ok) throw new Error(`downloading ${id}'s file: HTTP ${res.status}`);
    return res.body;
  }

  /**
   * POST /v1/uploads (docs/API.md §1): a local file's bytes as the raw body, answered with the
   * `file_url` an import can name. The only piece a local-file import needs from the server.
   */
  async uploadFile(path, contentType) {
    const size = statSync(path).size;
    const res = await this.request(
      'POST',
      `/v1/uploads?file_name=${encodeURIComponent(basename(path))}`,
      {
        body: createReadStream(path),
        headers: { 'content-type': contentType, 'content-length': String(size) },
      },
    );
    return res.file_url;
  }

  /**
   * Reads GET /v1/tasks/{id}/events and calls `onProgress` with every progress message until the
   * server ends the stream. Resolves with the last snapshot seen (null if none came).
   */
  async streamEvents(id, onProgress, signal) {
    const res = await this.request('GET', `/v1/tasks/${encodeURIComponent(id)}/events`, {
      raw: true,
      signal,
      headers: { accept: 'text/event-stream' },
    });
    const decoder = new TextDecoder();
    let buffer = '';
    let last = null;
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = parseFrame(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (frame.event === 'progress') {
          last = JSON.parse(frame.data);
          onProgress(last);
        }
      }
    }
    return last;
  }
}

/** One SSE frame: `event:` and `data:` lines; comment lines (heartbeats) are skipped. */
export function parseFrame(text) {
  const frame = { event: 'message', data: '' };
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') frame.event = value;
    else if (field === 'data') frame.data += (frame.data ? '\n' : '') + value;
  }
  return frame;
}
