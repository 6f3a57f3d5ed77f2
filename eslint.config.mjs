// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/** Modules that do I/O: the sync engine in shared/ must import none of them. */
const ioModules = [
  'axios',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'dgram',
  'child_process',
  'worker_threads',
  'undici',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', 'reports/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Route handlers and hooks are async by contract (fastify, Azure Functions) whether or not they await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['shared/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: 'shared/ is pure: no I/O.' })),
          patterns: [
            { group: ['node:*'], message: 'shared/ is pure: no Node built-ins.' },
            { group: ['@azure/*'], message: 'shared/ is pure: no Azure SDKs.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'shared/ is pure: no I/O.' },
        { name: 'process', message: 'shared/ is pure: configuration belongs to the deployables.' },
        { name: 'XMLHttpRequest', message: 'shared/ is pure: no I/O.' },
      ],
    },
  },
  {
    // Statuses are the HTTP edge's business: the layers under it throw domain errors, which
    // functions/src/http/errorMapping.ts maps in one table (a queue run never meets a 401).
    files: [
      'functions/src/{auth,common,config,dataverse,oneflow,queue,state,sync,timers,webhooks}/**/*.ts',
      'functions/src/services.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)http/', message: 'Throw a domain error; http/errorMapping.ts answers it.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', fetch: 'readonly' },
    },
  },
  {
    files: ['pcf-control/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // The platform provides React and Fluent as globals: only these two imports become externals. Anything else
      // (react-dom, a Fluent sub-package) would bundle a second copy with separate contexts.
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'react-dom', message: 'The platform renders controls; never bundle react-dom.' }],
          patterns: [
            {
              regex: '^@fluentui/react-(?!components$|icons$)',
              message: 'Import from @fluentui/react-components (the platform library) only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The host page and the browser tests stand in for the platform, and so may render with react-dom.
    files: [
      'pcf-control/host/**/*.{ts,tsx}',
      'pcf-control/test/**/*.ts',
      'pcf-control/src/**/*.test.{ts,tsx}',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
);
