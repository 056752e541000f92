#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript, run through tsx's loader so a clone needs no build step.
import { register } from 'tsx/esm/api';
register();
await import('../host/cli/main.ts');
