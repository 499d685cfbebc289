// Browser tests of both apps against the real servers and the real OIDC provider, started by
// dev/browser-test (which sets the URLs below). Debian's chromium, headless: Playwright's own
// browser download is not used.
import { defineConfig } from '@playwright/test';
import { ARTIFACTS } from './support';

export default defineConfig({
  testDir: '.',
  outputDir: `${ARTIFACTS}/test-results`,
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
