/** Jest runs the TypeScript tests through ts-jest; `--ci` (see package.json) makes a changed snapshot fail. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/main.test.ts', '<rootDir>/test/**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/build/', '<rootDir>/lib/'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
};
