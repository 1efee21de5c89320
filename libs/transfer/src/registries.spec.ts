import { EntityType } from '@ferry/contracts';

import { EXPORT_DEFINITIONS } from './export.registry';
import { IMPORT_DEFINITIONS } from './import.registry';

// A worker serves exactly the entity types of its registry (one consumer and handler each), so a
// type missing here would have no consumer at all: its tasks would wait for the sweeper.
describe('the registries', () => {
  it.each(Object.values(EntityType))('%s has an import and an export definition', (entity) => {
    expect(IMPORT_DEFINITIONS.get(entity)?.entity).toBe(entity);
    expect(EXPORT_DEFINITIONS.get(entity)?.entity).toBe(entity);
  });
});
