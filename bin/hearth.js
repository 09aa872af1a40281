#!/usr/bin/env node
// The `hearth` command line. Runs the TypeScript sources directly on Node 24 (type stripping).
await import('../src/cli/main.ts');
