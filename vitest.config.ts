import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['host/**/*.test.ts', 'firmware/**/*.test.ts', 'hil-tests/**/*.test.ts', 'bench/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
