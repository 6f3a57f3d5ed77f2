import type { Config } from 'jest';

const tsJest = { '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.base.json' }] } as const;

/** The controls compile for the browser (ES modules, JSX); jest runs them as CommonJS. */
const pcfTsconfig = '<rootDir>/tsconfig.jest.json';

/** One project per workspace; a workspace without tests yet simply contributes none. */
const workspaces = ['shared', 'simulators', 'functions', 'solution'] as const;

/**
 * msw 2 (functions' HTTP edge-case tests) pulls ESM-only packages; on Node < 24.9 jest cannot require() them, so
 * the functions project compiles exactly these to CommonJS with babel-jest. Everything else in node_modules stays
 * untransformed.
 */
const esmOnlyPackages = ['@open-draft', 'rettime', 'until-async'];
const functionsEsm: Config = {
  transform: {
    '^.+\\.m?js$': [
      'babel-jest',
      {
        babelrc: false,
        configFile: false,
        presets: [['@babel/preset-env', { targets: { node: 'current' }, modules: 'commonjs' }]],
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
};

const workspaceProject = (name: (typeof workspaces)[number]) => ({
  displayName: name,
  rootDir: `<rootDir>/${name}`,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.ts'],
  // The reliability suite is its own project (below): it runs once, not again on Node 22.
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    ...(name === 'functions' ? ['/src/reliability/'] : []),
  ],
  transform: { ...tsJest, ...(name === 'functions' ? functionsEsm.transform : {}) },
  ...(name === 'functions' ? { transformIgnorePatterns: functionsEsm.transformIgnorePatterns } : {}),
  moduleNameMapper: { '^@oneflow-sync/shared$': '<rootDir>/../shared/src/index.ts' },
});

/**
 * The end-to-end sync suites once more, against an Oneflow simulator that takes every fact Oneflow's sources
 * leave open the unkind way (docs/simulators-oneflow.md, Readings): the product must work under either reading.
 */
const unkindOneflowSuites = [
  'src/e2e/syncRules.integration.test.ts',
  'src/e2e/syncConflicts.integration.test.ts',
  'src/e2e/webhooks.integration.test.ts',
  'src/e2e/settingsImpact.integration.test.ts',
];

const config: Config = {
  projects: [
    ...workspaces.map(workspaceProject),
    {
      ...workspaceProject('functions'),
      displayName: 'functions (unkind Oneflow)',
      testMatch: unkindOneflowSuites.map((path) => `<rootDir>/${path}`),
      setupFiles: ['<rootDir>/src/testing/unkindOneflow.ts'],
    },
    // Chaos, crashes, fuzzing, the attack matrix, secrets and the webhook flood against whole stacks
    // (docs/reliability.md); `npm run soak` runs it longer.
    {
      ...workspaceProject('functions'),
      displayName: 'reliability',
      testMatch: ['<rootDir>/src/reliability/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
    // The controls' unit and component tests, in jsdom with React 16 and Fluent 9.46.2 as the platform gives them.
    {
      displayName: 'pcf-control',
      rootDir: '<rootDir>/pcf-control',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/src/**/*.test.{ts,tsx}', '<rootDir>/ProductSyncWidget/**/*.test.{ts,tsx}'],
      transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: pcfTsconfig }] },
      setupFilesAfterEnv: ['<rootDir>/src/testing/setupJsdom.ts'],
    },
    // The controls in a real browser (headless Chromium) against the whole local stack and the form host page.
    {
      displayName: 'pcf-control (browser)',
      rootDir: '<rootDir>/pcf-control',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: pcfTsconfig }] },
      moduleNameMapper: { '^@oneflow-sync/shared$': '<rootDir>/../shared/src/index.ts' },
    },
    // `npm run bench`'s smoke run: the benchmark harness end to end (it starts its own stack).
    {
      displayName: 'bench',
      rootDir: '<rootDir>/bench',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/**/*.test.ts'],
      transform: tsJest,
    },
    // Checks of the repository as a whole (its documents' links), outside any workspace.
    {
      displayName: 'repository',
      rootDir: '<rootDir>/test',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/**/*.test.ts'],
      transform: tsJest,
    },
  ],
};

export default config;
