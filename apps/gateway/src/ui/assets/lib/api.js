// The console's one way to the API: the key from sessionStorage as the x-api-key header, errors
// as ApiError with the API's own sentence (docs/API.md §1 "Errors"), SSE read with fetch.

const KEY = 'ferry.apiKey';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY);
  },
  set(key) {
    sessionStorage.setItem(KEY, key);
  },
  forget() {
    sessionStorage.removeItem(KEY);
  },
};

/** An API answer that is not a success: its status, code and message. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code;
    this.details = body?.details;
  }
}

let unauthorised = () => undefined;
/** Called when the key is refused (401): the app forgets it and asks again. */
export function onUnauthorised(fn) {
  unauthorised = fn;
}

/**
 * `fetch` with the key. `body` (an object) is sent as JSON. Resolves to the parsed JSON (or the
 * Response itself with `raw: true`); rejects with ApiError carrying the API's message.
 */
export async function api(path, { method = 'GET', body, headers = {}, signal, raw } = {}) {
  const res = await fetch(path, {
    method,
    signal,
    headers: {
      'x-api-key': session.key ?? '',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) {
    const err = new ApiError(res.status, await res.json().catch(() => null));
    if (res.status === 401) unauthorised('That API key was not accepted.');
    throw err;
  }
  if (raw) return res;
  if (res.status === 204) return null;
  return res.json();
}

export const qs = (params) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, String(v));
  return q.toString();
};

/**
 * Reads `GET /v1/tasks/{id}/events` (docs/API.md §1 "Live progress") with fetch and a stream
 * reader, not EventSource: EventSource cannot send headers, and a key in the URL would end up in
 * logs and history. Calls `onProgress(message)` per progress frame; resolves when the stream ends.
 */
export async function followTask(id, onProgress, signal) {
  const res = await api(`/v1/tasks/${encodeURIComponent(id)}/events`, {
    headers: { accept: 'text/event-stream' },
    signal,
    raw: true,
  });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const frame = parseFrame(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (frame.event === 'progress') onProgress(JSON.parse(frame.data));
      if (frame.event === 'end') return;
    }
  }
}

function parseFrame(text) {
  const frame = { event: 'message', data: '' };
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) continue; // heartbeat comment
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') frame.event = value;
    else if (field === 'data') frame.data += (frame.data ? '\n' : '') + value;
  }
  return frame;
}

/**
 * `POST /v1/uploads` (docs/API.md §1 "Uploads") with XMLHttpRequest, the one browser API that
 * reports upload progress: `onProgress(sentBytes, totalBytes)`. Resolves to `{upload_id,
 * file_url, file_name, size}`.
 */
export function uploadFile(file, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/uploads?${qs({ file_name: file.name })}`);
    xhr.setRequestHeader('x-api-key', session.key ?? '');
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status says it
      }
      if (xhr.status === 201) return resolve(body);
      if (xhr.status === 401) unauthorised('That API key was not accepted.');
      reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new Error('the upload was cut off (network error)'));
    xhr.onabort = () => reject(new DOMException('upload aborted', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

let schemas;
/**
 * The values of an enum of the gateway's OpenAPI document (`/docs-json`, public), so the forms
 * offer what the API accepts and a new entity type appears without an edit here.
 */
export async function apiEnum(name) {
  schemas ??= fetch('/docs-json')
    .then((r) => {
      if (!r.ok) throw new Error(`GET /docs-json answered ${r.status}`);
      return r.json();
    })
    .then((doc) => doc.components?.schemas ?? {})
    .catch((err) => {
      schemas = undefined;
      throw err;
    });
  const values = (await schemas)[name]?.enum;
  if (!Array.isArray(values)) throw new Error(`the API document has no enum ${name}`);
  return values;
}
