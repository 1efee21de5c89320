import { EntityType, EXPORT_FILTER_KEYS } from '@ferry/contracts';

import { EXPORT_DEFINITIONS } from './export.registry';

describe('EXPORT_DEFINITIONS', () => {
  it.each(Object.values(EntityType))(
    'maps exactly the filter keys libs/contracts gives %s to columns',
    (entity) => {
      const def = EXPORT_DEFINITIONS.get(entity);
      expect(def?.entity).toBe(entity);
      expect(Object.keys(def!.filters).sort()).toEqual([...EXPORT_FILTER_KEYS[entity]].sort());
      for (const column of Object.values(def!.filters)) expect(column).toMatch(/^[a-z_]+$/);
    },
  );
});
