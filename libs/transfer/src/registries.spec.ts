import { EntityType, EXPORT_COLUMN_NAMES, EXPORT_FILTER_KEYS } from '@ferry/contracts';

import { EXPORT_DEFINITIONS } from './export.registry';
import { IMPORT_DEFINITIONS } from './import.registry';

// A worker serves exactly the entity types of its registry (one consumer and handler each), so a
// type missing here would have no consumer at all: its tasks would wait for the sweeper.
describe('the registries', () => {
  it.each(Object.values(EntityType))('%s has an import and an export definition', (entity) => {
    expect(IMPORT_DEFINITIONS.get(entity)?.entity).toBe(entity);
    expect(EXPORT_DEFINITIONS.get(entity)?.entity).toBe(entity);
  });

  it.each(Object.values(EntityType))(
    '%s maps exactly the export filter keys libs/contracts gives it to columns',
    (entity) => {
      const filters = EXPORT_DEFINITIONS.get(entity)?.filters ?? {};
      expect(Object.keys(filters).sort()).toEqual([...(EXPORT_FILTER_KEYS[entity] ?? [])].sort());
      for (const column of Object.values(filters)) expect(column).toMatch(/^[a-z_]+$/);
    },
  );

  it.each(Object.values(EntityType))(
    '%s exports exactly the columns libs/contracts lists for it (the gateway checks metadata.columns there)',
    (entity) => {
      expect(EXPORT_DEFINITIONS.get(entity)?.columns.map((c) => c.name)).toEqual(
        EXPORT_COLUMN_NAMES[entity],
      );
    },
  );
});
