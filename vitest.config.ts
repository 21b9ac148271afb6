import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // Test files of a worker share its loaded modules (each still starts its own apps and
    // databases): importing the app again for every file took 3 of the suite's 12 minutes.
    isolate: false,
    // Each test file starts its own embedded database: compiling its WebAssembly once, quickly
    // (Liftoff), beats compiling it again in the optimising tier, which a test file never lives to use.
    execArgv: ['--liftoff-only'],
  },
});
