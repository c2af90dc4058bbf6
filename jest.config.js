// Jest in native ESM mode (NODE_OPTIONS=--experimental-vm-modules): Nest 12, jose and the NATS
// client are ESM-only. ts-jest only transpiles (isolatedModules); `tsc -p tsconfig.json` type-checks.
/** @type {import('jest').Config} */
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^#binding$': '<rootDir>/libs/binding/src/index.ts',
    '^#binding/(.*)$': '<rootDir>/libs/binding/src/entries/$1.ts',
    '^#estate$': '<rootDir>/libs/estate/src/index.ts',
    '^#mobile$': '<rootDir>/apps/mobile/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

export default {
  // Jest reads testTimeout from the top-level configuration only (a project's own is ignored): 60 s
  // for every test that does not set its own; the unit tests take milliseconds either way.
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.spec.ts'] },
  ],
};
