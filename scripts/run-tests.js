#!/usr/bin/env node
// `npm test`: build the renderer, run the unit tests (vitest) and the
// end-to-end tests (Playwright in Debian's Chromium), then print one
// summary line CI understands: "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, 'tests', 'artifacts');
mkdirSync(reports, { recursive: true });
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const run = (args, env = {}) => spawnSync(npx, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

const only = process.argv[2]; // "unit" or "e2e" to run one half
let passed = 0;
let failed = 0;
const problems = [];

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

if (only !== 'e2e') {
  const file = join(reports, 'vitest.json');
  const result = run(['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`]);
  const report = existsSync(file) ? readJson(file) : null;
  if (report) {
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    // A file that fails to load has no tests to count: count it as a failure.
    for (const suite of report.testResults ?? []) {
      if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1;
    }
  }
  if (!report || (result.status !== 0 && failed === 0)) {
    failed += 1;
    problems.push('vitest did not finish normally');
  }
}

if (only !== 'unit') {
  const build = run(['electron-vite', 'build']);
  if (build.status !== 0) {
    failed += 1;
    problems.push('the build failed, so the end-to-end tests could not run');
  } else {
    const file = join(reports, 'playwright.json');
    const result = run(['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: file });
    const report = existsSync(file) ? readJson(file) : null;
    if (report?.stats) {
      passed += report.stats.expected ?? 0;
      // A flaky test (failed, then passed on retry) counts as passed: retries are off in CI anyway.
      passed += report.stats.flaky ?? 0;
      failed += report.stats.unexpected ?? 0;
    }
    if (!report || (result.status !== 0 && !(report.stats?.unexpected > 0))) {
      failed += 1;
      problems.push('playwright did not finish normally');
    }
  }
}

for (const problem of problems) console.log(`problem: ${problem}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
