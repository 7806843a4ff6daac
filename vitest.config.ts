import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/registry/global-setup.ts'],
    // Integration tests count pause processes and edit /etc/subuid through
    // sudo: one file at a time keeps them from seeing each other's.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
