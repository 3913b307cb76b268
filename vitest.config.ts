import { defineConfig } from 'vitest/config';

// `*.serial.test.ts` measure real time (request arrival times on the real clock): `npm test` runs
// them after the rest, on their own (SERIAL_TESTS=1), so other files' CPU load cannot distort them.
const serial = process.env.SERIAL_TESTS === '1';

export default defineConfig({
  test: {
    include: serial ? ['test/**/*.serial.test.ts'] : ['test/**/*.test.ts'],
    exclude: serial ? [] : ['test/**/*.serial.test.ts', '**/node_modules/**'],
    fileParallelism: !serial,
    // Integration tests start real servers on 127.0.0.1; keep a generous but finite bound.
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
