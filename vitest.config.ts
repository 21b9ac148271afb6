import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // Each test file starts its own embedded database: compiling its WebAssembly once, quickly
    // (Liftoff), beats compiling it again in the optimising tier, which a test file never lives to use.
    execArgv: ['--liftoff-only'],
  },
});
