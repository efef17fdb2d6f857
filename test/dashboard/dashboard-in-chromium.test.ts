import t from 'tap'
import { startReceiver } from '../helpers/receiver.js'
import { launchChromium, screenshot, watchConsole } from './browser.js'

// The dashboard end to end in a real headless Chromium against a real receiver: sign in, read
// the overview, search, page, open an event, follow a fingerprint, and stay inert against HTML
// in log messages. Screenshots land in test/screenshots/ (git-ignored) for a human to look at.

// The callbacks given to page.evaluate run in the page. These name the page's globals for the
// type checker only; a lib "dom" reference would change fetch's types for every test file.
interface PageElement { dataset: Record<string, string | undefined> }
declare const document: {
  cookie: string
  body: object
  documentElement: { scrollWidth: number }
  querySelectorAll: (selector: string) => { length: number }
}
declare const window: { innerWidth: number }
declare function getComputedStyle (element: object): { backgroundColor: string }

const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> payload'
const MINUTE = 60_000

t.test('dashboard in Chromium', async (t) => {
  const r = await startReceiver()
  t.teardown(() => r.close())
  const now = Date.now()
  const ts = (minutesAgo: number, i = 0) => new Date(now - minutesAgo * MINUTE - i).toISOString()

  // An hour of ordinary traffic, a burst of one error, one hostile message, enough warnings to page.
  // Nothing older than 55 minutes: the overview's hour moves on while the test runs.
  const batches = [
    Array.from({ length: 180 }, (_, i) => ({ ts: ts(i % 55, i), level: i % 9 === 0 ? 'debug' : 'info', message: `request served in ${i % 40} ms`, source: 'api' })),
    Array.from({ length: 120 }, (_, i) => ({ ts: ts(i % 50, i), level: 'warn', message: `slow query #${i} on orders`, source: 'db' })),
    Array.from({ length: 12 }, (_, i) => ({
      ts: ts(i % 6, i),
      level: 'error',
      message: 'db timeout after 5000 ms',
      source: 'api',
      stack: 'Error: db timeout after 5000 ms\n    at query (db.js:42:7)\n    at handler (api.js:10:3)',
      context: { userId: 7, route: '/orders', retry: { attempt: 3 } }
    })),
    [{ ts: ts(1), level: 'fatal', message: XSS, source: 'web', context: { html: '<b>bold?</b>' } }]
  ]
  for (const events of batches) {
    const res = await r.send({ events })
    t.equal(res.status, 202, 'seeded a batch')
  }

  const browser = await launchChromium()
  t.teardown(() => browser.close())
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  const problems = watchConsole(page)

  await t.test('the page loads without a token and asks for it', async (t) => {
    const res = await page.goto(r.url)
    t.equal(res?.status(), 200)
    t.match(res?.headers()['content-security-policy'], /script-src 'self'/, 'CSP forbids inline script')
    await page.getByLabel('Admin token').waitFor()
    t.ok(await page.getByRole('button', { name: 'Sign in' }).isVisible())
  })

  await t.test('a wrong token says so', async (t) => {
    await page.getByLabel('Admin token').fill('not-the-admin-token-at-all-0123456789')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('That token is not right').waitFor()
    t.pass('wrong token reported')
  })

  await t.test('signing in shows the chart, the totals and the recent errors', async (t) => {
    await page.getByLabel('Admin token').fill(r.adminToken)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('#level-chart canvas').waitFor()
    await page.locator('#recent-errors .feed-item').first().waitFor()
    const feed = await page.locator('#recent-errors').innerText()
    t.match(feed, /db timeout after 5000 ms/, 'recent errors list the error')
    t.match(feed, /<img src=x onerror=/, 'the hostile message shows as characters')
    t.equal(await page.locator('#recent-errors img, #recent-errors script').count(), 0, 'and made no elements')
    const tiles = await page.locator('.tiles').innerText()
    t.match(tiles, /313/, 'total events of the hour')
    t.match(tiles, /13/, 'errors of the hour')
    const cookies = await context.cookies()
    const session = cookies.find((c) => c.name === 'tekno_session')
    t.ok(session?.httpOnly, 'session cookie is HttpOnly')
    t.equal(session?.sameSite, 'Strict')
    t.equal(await page.evaluate(() => document.cookie), '', 'page script cannot read the session')
    await screenshot(page, 'overview-desktop')
  })

  await t.test('the recent-errors feed refreshes by itself', async (t) => {
    const live = await context.newPage()
    const liveProblems = watchConsole(live)
    // The page's clock is driven by the test: fifteen seconds pass without waiting for them.
    await live.clock.install()
    await live.goto(r.url)
    await live.locator('#recent-errors .feed-item').first().waitFor()
    t.equal(await live.getByText('a brand new failure').count(), 0)
    const res = await r.send({ events: [{ level: 'error', message: 'a brand new failure', source: 'worker' }] })
    t.equal(res.status, 202)
    await live.clock.runFor(16_000)
    await live.locator('#recent-errors').getByText('a brand new failure').waitFor()
    t.pass('the new error appeared without a reload')
    t.same(liveProblems, [], 'no console errors')
    await live.close()
  })

  await t.test('a fingerprint link opens its events, with every filter in the URL', async (t) => {
    await page.locator('.fingerprints a', { hasText: 'db timeout after 5000 ms' }).click()
    await page.locator('.events .event').first().waitFor()
    const url = new URL(page.url())
    t.equal(url.searchParams.get('project_id'), String(r.projectId))
    t.match(url.searchParams.get('fingerprint'), /^[0-9a-f]{40}$/)
    const messages = await page.locator('.events .message').allInnerTexts()
    t.equal(messages.length, 12)
    t.ok(messages.every((m) => m === 'db timeout after 5000 ms'), 'only that fingerprint')
  })

  await t.test('opening an event shows its stack and context pretty-printed', async (t) => {
    await page.locator('.event-summary').first().click()
    const details = page.locator('.event-details').first()
    await details.locator('.stack').waitFor()
    t.match(await details.locator('.stack').innerText(), /at handler \(api\.js:10:3\)/)
    t.match(await details.locator('.context').innerText(), /"retry": \{\n\s+"attempt": 3\n\s+\}/)
  })

  await t.test('a shared link opens the same view', async (t) => {
    const shared = page.url()
    const other = await context.newPage()
    await other.goto(shared)
    await other.locator('.events .event').first().waitFor()
    t.equal(await other.locator('.events .event').count(), 12)
    await other.close()
  })

  await t.test('search by level and text, then page older', async (t) => {
    await page.getByRole('link', { name: 'Search' }).click()
    await page.locator('.filters').waitFor()
    await page.locator('.chip', { hasText: 'warn' }).click()
    await page.getByLabel('Message contains').fill('SLOW QUERY')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.locator('.events .event').first().waitFor()
    const url = new URL(page.url())
    t.equal(url.searchParams.get('level'), 'warn')
    t.equal(url.searchParams.get('q'), 'SLOW QUERY')
    const first = await page.locator('.events .event').evaluateAll((els) => els.map((e) => (e as PageElement).dataset.id))
    t.equal(first.length, 50, 'a first page of 50')
    const levels = await page.locator('.events .level').allInnerTexts()
    t.ok(levels.every((l) => l.toLowerCase() === 'warn'), 'only warnings')
    await screenshot(page, 'search-desktop')
    const lastOfFirst = await page.locator('.events time').last().getAttribute('datetime') ?? ''

    await page.locator('#older').click()
    await page.waitForURL(/cursor=/)
    await page.locator('.events .event').first().waitFor()
    const second = await page.locator('.events .event').evaluateAll((els) => els.map((e) => (e as PageElement).dataset.id))
    t.equal(second.length, 50, 'a second page')
    t.equal(second.filter((id) => first.includes(id)).length, 0, 'no event twice')
    const times = await page.locator('.events time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime') ?? ''))
    t.ok(times.every((ts) => ts <= lastOfFirst), 'every event on the older page is no newer than the first page')
    await page.locator('#older').click()
    await page.waitForFunction(() => document.querySelectorAll('.events .event').length === 20)
    t.equal(await page.locator('#older').count(), 0, 'the last page has no "older"')
    await page.goBack()
    await page.waitForFunction(() => document.querySelectorAll('.events .event').length === 50)
    t.pass('back returns to the previous page')
  })

  await t.test('an XSS payload in a message stays inert in search and the event view', async (t) => {
    await page.goto(`${r.url}/?view=search&level=fatal`)
    await page.locator('.events .event').first().waitFor()
    await page.locator('.event-summary').first().click()
    await page.locator('.event-details .full-message').waitFor()
    t.equal(await page.locator('.event-details .full-message').innerText(), XSS)
    t.match(await page.locator('.event-details .context').innerText(), /"html": "<b>bold\?<\/b>"/)
    t.equal(await page.locator('main img, main script, main b').count(), 0, 'no element came from log text')
    t.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined, 'nothing ran')
  })

  await t.test('phone-sized screens', async (t) => {
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto(r.url)
    await page.locator('#level-chart canvas').waitFor()
    await page.locator('#recent-errors .feed-item').first().waitFor()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    t.ok(overflow <= 0, `no sideways scrolling on the overview (${overflow}px)`)
    await screenshot(page, 'overview-phone')
    await screenshot(page, 'overview-phone-top', false)
    await page.goto(`${r.url}/?view=search&project_id=${r.projectId}&range=1h`)
    await page.locator('.events .event').first().waitFor()
    await page.locator('.event-summary').nth(3).click()
    const overflowSearch = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    t.ok(overflowSearch <= 0, `no sideways scrolling on search (${overflowSearch}px)`)
    await screenshot(page, 'search-phone')
    await page.locator('.event-details:not([hidden])').scrollIntoViewIfNeeded()
    await screenshot(page, 'search-phone-event', false)
    await page.setViewportSize({ width: 1280, height: 900 })
  })

  await t.test('a dark theme follows the system setting', async (t) => {
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.goto(r.url)
    await page.locator('#level-chart canvas').waitFor()
    await page.locator('#recent-errors .feed-item').first().waitFor()
    t.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(18, 22, 28)')
    await screenshot(page, 'overview-dark-desktop', false)
    await page.emulateMedia({ colorScheme: 'light' })
  })

  await t.test('empty states say what to do next', async (t) => {
    const quiet = await (await r.admin('POST', '/admin/projects', { name: 'quiet' })).json() as { id: number }
    await page.goto(`${r.url}/?project_id=${quiet.id}`)
    await page.getByText('No events in the last hour').waitFor()
    t.match(await page.locator('.chart-note').innerText(), /tekno-logger\/pino/, 'how to send a first batch')
    t.match(await page.locator('#recent-errors').innerText(), /No errors in the last 24 hours/)
    await page.goto(`${r.url}/?view=search&project_id=${quiet.id}`)
    await page.getByText('No events match').waitFor()
    t.pass('search explains an empty result')
  })

  await t.test('sign out ends the session', async (t) => {
    await page.goto(r.url)
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByLabel('Admin token').waitFor()
    const status = await page.evaluate(async () => (await fetch('/api/log')).status)
    t.equal(status, 401, 'the API refuses the browser after sign-out')
  })

  // Chromium logs every 4xx fetch as a console error; the two this test provokes on purpose (the
  // wrong token, the API call after sign-out) are the only ones allowed.
  const expected = /Failed to load resource: the server responded with a status of 401/
  t.same(problems.filter((p) => !expected.test(p)), [], 'no console errors')
  t.ok(problems.filter((p) => expected.test(p)).length <= 2, 'only the provoked 401s')
})
