import { Readable } from 'stream';

import { readCsvRecords } from '@ferry/files';

import { type FerryApi } from './api';

/** Downloads `GET /v1/tasks/{id}/errors` and parses it as a user's spreadsheet would. */
export async function downloadErrors(
  api: FerryApi,
  taskId: string,
): Promise<{
  status: number;
  contentType: string | null;
  header: string[];
  rows: Record<string, string>[];
  text: string;
}> {
  const res = await fetch(`${api.baseUrl}/v1/tasks/${taskId}/errors`, {
    headers: { 'x-api-key': api.apiKey },
  });
  const text = await res.text();
  if (res.status !== 200)
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      header: [],
      rows: [],
      text,
    };
  const records: string[][] = [];
  for await (const r of readCsvRecords(Readable.from([text]))) records.push(r.values);
  const [header, ...data] = records;
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    header,
    rows: data.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]]))),
    text,
  };
}
