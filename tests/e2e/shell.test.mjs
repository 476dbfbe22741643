// The app shell from the release build: it starts under the strict CSP, opens the demo tenant when
// nothing is configured, and says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";

const stack = useStack({});

test("with no configuration the app opens the demo tenant and labels it", async () => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  const name = page.getByTestId("tenant-name");
  await name.waitFor({ timeout: 30_000 });
  assert.equal((await name.textContent()).trim(), "Contoso Demo");
  const banner = await page.locator(".demo-banner").textContent();
  assert.match(banner, /demo tenant/i);
  await screenshot(page, "shell-demo");
  assert.deepEqual(problems, [], "no console errors or CSP violations while starting");
});

test("the page carries a Content-Security-Policy without unsafe-inline", async () => {
  const { page } = await openPage(stack.browser, stack.app.url);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const inline = await page.locator("script:not([src])").count();
  assert.equal(inline, 0, "no inline script in the served page");
});
