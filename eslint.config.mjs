import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';
import simpleImportSort from 'eslint-plugin-simple-import-sort';

// Layers, lowest first. A project may depend only on layers below its own (so the infra libs —
// messaging, persistence, files — never use each other); apps never on apps.
const order = [
  'layer:contracts',
  'layer:config',
  'layer:core',
  'layer:infra',
  'layer:domain',
  'layer:app',
];
const layers = Object.fromEntries(order.map((tag, i) => [tag, order.slice(0, i)]));

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '.nx', 'coverage', 'tmp'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: true,
          depConstraints: [
            ...Object.entries(layers).map(([sourceTag, allowed]) => ({
              sourceTag,
              onlyDependOnLibsWithTags: allowed,
            })),
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // One import order everywhere: side effects (reflect-metadata first), Node built-ins, Nest,
    // other packages, Ferry's libs, then relative paths. Type-only imports say so (`import type`);
    // with emitDecoratorMetadata the rule keeps the value imports Nest's injection needs.
    files: ['**/*.ts', '**/*.mjs'],
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      'simple-import-sort/imports': [
        'error',
        {
          groups: [
            ['^\\u0000'],
            ['^node:', `^(${builtinModules.join('|')})(/|$)`],
            ['^@nestjs/'],
            ['^@?\\w'],
            ['^@ferry/'],
            ['^\\.'],
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { emitDecoratorMetadata: true, experimentalDecorators: true },
    },
    rules: {
      'no-duplicate-imports': ['error', { allowSeparateTypeImports: true }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
    },
  },
  {
    // Inside libs/transfer the entity folders stand on common/ and pipeline/, never the other way
    // round: what every entity type shares lives in common/, and the pipeline reaches an entity
    // type only through the registries (import.registry.ts, export.registry.ts). A spec may still
    // drive the pipeline with a real entity type.
    files: ['libs/transfer/src/common/**/*.ts', 'libs/transfer/src/pipeline/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)entity-types(/|$)',
              message:
                'common/ and pipeline/ must not depend on an entity folder: move what is shared into common/, or reach the entity type through its registry.',
            },
          ],
        },
      ],
    },
  },
  {
    // Cross-service tests read arbitrary JSON answers from the API.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
