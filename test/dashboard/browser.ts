import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

// Debian's Chromium, never a downloaded browser (.ci/run installs it with apt).
export const CHROMIUM = '/usr/bin/chromium'
export const SCREENSHOTS = join(import.meta.dirname, '..', 'screenshots')

export async function launchChromium (): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
  })
}

/** Collects everything the page reports as an error, so a test can assert there was none. */
export function watchConsole (page: Page): string[] {
  const problems: string[] = []
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`) })
  page.on('pageerror', (err) => { problems.push(`pageerror: ${err.message}`) })
  page.on('dialog', (dialog) => { problems.push(`dialog: ${dialog.message()}`); void dialog.dismiss() })
  return problems
}

export async function screenshot (page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage })
  return path
}
