import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_TOKEN } from './tests/e2e/fixtures.js';

// End-to-end tests drive the real studio (`ganvas serve`, fresh data folder)
// in Debian's Chromium: Playwright's own browser download is not possible here.
// GANVAS_E2E_PORT lets two checkouts on one machine run their e2e specs at once.
export const E2E_PORT = Number(process.env.GANVAS_E2E_PORT ?? 47123);
const dataDir = process.env.GANVAS_E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'ganvas-e2e-'));
process.env.GANVAS_E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
    },
  },
  webServer: {
    command: `node bin/ganvas.js serve --port ${E2E_PORT} --data-dir ${dataDir}`,
    url: `http://127.0.0.1:${E2E_PORT}/healthz`,
    env: { GANVAS_TOKEN: E2E_TOKEN },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
