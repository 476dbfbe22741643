// Shared previews: a link made from a plan opens read-only with no sign-in; names can be hidden;
// a tampered link is a clear error, never a crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useStack } from "./lib/harness.mjs";
import { pickSkus, realProblems } from "./journey_lib.mjs";

const stack = useStack({});

async function makeLink(redact) {
  const { page } = await openPage(stack.browser, stack.app.url + "#/migrate");
  await pickSkus(page, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  if (redact) await page.getByLabel(/Hide user and group names/).check();
  await page.getByRole("button", { name: "Copy link" }).click();
  const link = await page.getByTestId("share-link").inputValue();
  await page.context().close();
  return link;
}

test("a shared link opens read-only, without sign-in, and cannot be applied", async () => {
  const link = await makeLink(false);
  assert.match(link, /#\/preview\/v1\./);
  const { page, problems } = await openPage(stack.browser, link);
  await page.getByText("Shared preview (read-only)").waitFor();
  assert.equal(await page.getByRole("button", { name: "Apply…" }).count(), 0);
  assert.match(await page.locator(".findings").textContent(), /Not enough seats/);
  assert.ok((await page.locator(".vrow").count()) > 0);
  await screenshot(page, "journey-share-open");
  assert.deepEqual(realProblems(problems), []);
});

test("a redacted link shows no user names", async () => {
  const link = await makeLink(true);
  const { page } = await openPage(stack.browser, link);
  await page.getByText("Names in this preview were replaced").waitFor();
  assert.doesNotMatch(await page.locator("main").textContent(), /@contosodemo/);
});

test("a tampered link gets a clear error", async () => {
  const link = await makeLink(false);
  const i = link.indexOf("v1.") + 20;
  const tampered = link.slice(0, i) + (link[i] === "A" ? "B" : "A") + link.slice(i + 1);
  const { page, problems } = await openPage(stack.browser, tampered);
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.textContent(), /cannot be opened/);
  assert.match(await alert.textContent(), /altered|truncated/);
  assert.deepEqual(realProblems(problems).filter((p) => /pageerror|panicked/.test(p)), []);
});
