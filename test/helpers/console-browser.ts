import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/** Debian's chromium: the machines cannot download Playwright's own browser. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/console/', import.meta.url));
const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));

export const VIEWPORTS = {
  laptop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

export async function launchChromium(): Promise<Browser> {
  // A missing browser or build is a failure, never a skip: CI installs chromium and builds the console.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  if (!existsSync(CONSOLE_DIST)) throw new Error('web/dist is missing: npm run build');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Writes test-results/console/<name>-laptop.png and -phone.png, then restores the laptop size. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await settled(page);
    await page.screenshot({ path: `${SCREENSHOT_DIR}${name}-${size}.png`, fullPage: true });
  }
  await page.setViewportSize(VIEWPORTS.laptop);
}

/**
 * Waits two frames: the balance chart measures its box in a ResizeObserver
 * after a viewport change, before the next paint.
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
}

/** Fails the test on any script error or console error the page reports (a CSP refusal, say). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // The API's refusals are expected in some steps; the browser logs each 4xx fetch as an error line.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) {
      errors.push(`console: ${message.text()}`);
    }
  });
  return errors;
}
