#!/usr/bin/env node
// The `ganvas` command. It runs the TypeScript sources through tsx, so the
// CLI works right after `npm install` without a separate compile step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli.ts');
process.exitCode = await main(process.argv.slice(2));
