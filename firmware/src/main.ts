// Firmware entry point (bundled by rollup.config.mjs into dist/meter.js / dist/meter.min.js).
import { boot } from './meter.ts';

boot();
