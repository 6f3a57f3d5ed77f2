import type { Config } from 'jest';

const tsJest = { '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/../tsconfig.base.json' }] } as const;

/** One project per workspace; a workspace without tests yet simply contributes none. */
const workspaces = ['shared', 'simulators', 'functions', 'pcf-control', 'solution'] as const;

const config: Config = {
  projects: workspaces.map((name) => ({
    displayName: name,
    rootDir: `<rootDir>/${name}`,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    transform: { ...tsJest },
    moduleNameMapper: { '^@oneflow-sync/shared$': '<rootDir>/../shared/src/index.ts' },
  })),
};

export default config;
