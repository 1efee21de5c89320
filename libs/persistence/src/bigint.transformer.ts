import { type ValueTransformer } from 'typeorm';

/**
 * pg returns `bigint` as a string (it may exceed 2^53). Ferry's counters and row numbers stay far
 * below that, and the API serialises them as JSON numbers, so they are numbers in the entities.
 */
export const bigintTransformer: ValueTransformer = {
  to: (value: number | null | undefined): number | null | undefined => value,
  from: (value: string | number | null | undefined): number | null | undefined =>
    value === null || value === undefined ? value : Number(value),
};
