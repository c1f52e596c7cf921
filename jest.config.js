/** Jest runs the TypeScript tests through ts-jest; `--ci` (see package.json) makes a changed snapshot fail. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/main.test.ts', '<rootDir>/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/build/', '<rootDir>/lib/', '<rootDir>/demos/.*/dist/'],
  // The demos import the library by its package name, as consumers do (see scripts/synth-example.ts).
  moduleNameMapper: { '^cdk8s-stackable-demos$': '<rootDir>/constructs' },
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
};
