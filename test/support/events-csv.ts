/** Generates events CSV files the way a billing team's usage export looks. */
export const EVENTS_HEADER =
  'event_id,event_name,external_customer_id,timestamp,source,properties.region,properties.tokens,properties.model';

export function eventRow(i: number, prefix = 'evt'): string {
  const ts = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return `${prefix}_${i},api_call,cust_${i % 500},${ts},sdk,eu-west-${i % 3},${(i * 7) % 1000},gpt-${i % 4}`;
}

export function eventsCsv(rows: number, prefix = 'evt'): string {
  const lines = [EVENTS_HEADER];
  for (let i = 0; i < rows; i++) lines.push(eventRow(i, prefix));
  return lines.join('\n') + '\n';
}
