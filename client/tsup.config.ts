import { defineConfig } from 'tsup';

/** The published package: ES modules and type declarations built from the SDK's source, no dependencies. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  target: 'es2022',
  platform: 'neutral',
  clean: true,
  sourcemap: true,
});
