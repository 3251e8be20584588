// graphiql_browser.mjs - drive Depot's GraphiQL page in headless Chromium.
//
//   node tests/js/graphiql_browser.mjs URL TOKEN SCREENSHOT.png [SUBSCRIPTION]
//
// Opens URL (Depot's /graphql) as a browser does, types the bearer token into GraphiQL's
// headers editor and a ManageBoxes-like query into its query editor, presses the run button,
// waits for the result pane to show boxes, and saves a screenshot. Chromium is Debian's
// (/usr/bin/chromium, or $CHROMIUM), driven by npm playwright-core; nothing is downloaded.
// With SUBSCRIPTION it types and runs that document instead (GraphiQL sends it to the page's
// live updates' URL) and, once the result pane shows its first event, prints {"first": pane's
// text}, reads one line from stdin (a text the next event must show) and waits for the pane to
// show it.
// Prints one JSON line {title, result, requests, consoleErrors, screenshot}; exits 1 when the
// page does not work, 77 when no Chromium is installed (the test is then skipped).
// Licensed under the Apache License 2.0.
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

const [url, token, screenshot, subscription] = process.argv.slice(2);
if (!url || !token || !screenshot) {
  console.error('usage: node graphiql_browser.mjs URL TOKEN SCREENSHOT.png');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ||
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!executablePath) {
  console.error('no Chromium: apt-get install chromium');
  process.exit(77);
}

const QUERY = `query ManageBoxes {
  boxes(baseId: "1", paginationInput: {first: 3}) {
    totalCount
    elements { labelIdentifier state product { name } }
  }
}`;

const browser = await chromium.launch({ executablePath, headless: true,
                                        args: ['--no-sandbox', '--disable-gpu'] });
let failed = null;
const consoleErrors = [];
const requests = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('request', (r) => requests.push(new URL(r.url()).origin === new URL(url).origin
                                          ? new URL(r.url()).pathname : r.url()));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('.graphiql-container', { timeout: 30000 });

  // The headers editor is open (Depot's page asks for it): put the token in.
  const headersTab = page.getByRole('button', { name: 'Headers' });
  if (await headersTab.count()) {
    const selected = await headersTab.first().getAttribute('aria-selected');
    if (selected !== 'true') await headersTab.first().click();
  }
  const headers = page.locator('.graphiql-editor-tool .graphiql-editor').last();
  await headers.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${token}` }));

  // The query.
  const query = page.locator('.graphiql-query-editor .graphiql-editor').first();
  await query.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(subscription || QUERY);
  // GraphiQL learns the typed document's operation name after a debounce; the fetcher sends an
  // operation to the subscription URL only when that name is a subscription's, so a click at
  // once sent the subscription over HTTP (where Depot refuses it). A person types slower.
  await page.waitForTimeout(1000);

  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.graphiql-response');
  // The pane's text, not a text node's visibility: CodeMirror also keeps copies of the
  // result's lines in hidden elements, and the first match may be one of them.
  const paneShows = (text) => page.waitForFunction(
    (t) => document.querySelector('.graphiql-response')?.innerText.replace(/\s+/g, ' ').includes(t),
    text, { timeout: 30000 });
  await paneShows('labelIdentifier');
  if (subscription) {
    console.log(JSON.stringify({ first: (await result.innerText()).replace(/\s+/g, ' ') }));
    const expected = await new Promise((resolve) => process.stdin.once('data', (d) => resolve(String(d).trim())));
    await paneShows(expected);
  }
  await page.waitForTimeout(300);
  const text = await result.innerText();
  await page.screenshot({ path: screenshot, fullPage: false });
  const title = await page.title();
  if (!subscription && (!/totalCount/.test(text) || !/labelIdentifier/.test(text)))
    failed = 'no boxes in the result pane';
  const foreign = requests.filter((r) => r.startsWith('http'));
  if (foreign.length) failed = `requests to other origins: ${foreign.join(', ')}`;
  // GraphiQL introspects before the token is typed in: those 401s are expected; nothing
  // else may fail (a CSP violation or a missing asset would show here).
  const unexpected = consoleErrors.filter((e) => !/status of 401/.test(e));
  if (unexpected.length) failed = `console errors: ${unexpected.join(' | ')}`;
  console.log(JSON.stringify({ title, result: text.replace(/\s+/g, ' ').slice(0, 400),
                               requests: [...new Set(requests)], consoleErrors, screenshot }));
} catch (e) {
  failed = String(e);
  // What the page showed when it failed: the screenshot, and the result pane's text.
  let shown = null;
  try {
    const page = browser.contexts()[0]?.pages()[0];
    if (page) {
      await page.screenshot({ path: screenshot, fullPage: false });
      shown = (await page.locator('.graphiql-response').innerText()).replace(/\s+/g, ' ').slice(0, 400);
    }
  } catch { /* the page itself is gone */ }
  console.log(JSON.stringify({ error: failed, shown, requests: [...new Set(requests)], consoleErrors }));
} finally {
  await browser.close();
}
if (failed) {
  console.error(failed);
  process.exit(1);
}
