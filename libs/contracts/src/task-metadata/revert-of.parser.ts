import { refuseMetadata, shown } from './metadata-refusal';

/**
 * `metadata.revert_of` of a revert task (docs/API.md §5): the id of the import it undoes. Only
 * `POST /v1/tasks/{id}/revert` sets it; `POST /v1/tasks` refuses it (`refuseRevertOf`).
 */
export function parseRevertOf(
  metadata: Readonly<Record<string, unknown>> | undefined,
): string | null {
  const given = metadata?.['revert_of'];
  if (given === undefined || given === null) return null;
  if (typeof given !== 'string' || !/^task_[0-9A-Z]{26}$/.test(given)) {
    refuseMetadata('revert_of', `metadata.revert_of must be a task id, not ${shown(given)}`);
  }
  return given;
}

/** `POST /v1/tasks` with `metadata.revert_of`: a revert is created by its own route. */
export function refuseRevertOf(metadata: Readonly<Record<string, unknown>> | undefined): void {
  if (metadata?.['revert_of'] === undefined) return;
  refuseMetadata(
    'revert_of',
    'metadata.revert_of is set by POST /v1/tasks/{id}/revert, which previews and checks the revert; it cannot be given to POST /v1/tasks',
  );
}
