// A tenant of 1,000,000 users through sim-server, previewed in one tab: the load shows its
// progress and the time left, every holder is planned, the virtualized list scrolls to its last
// row, and the plan is saved as a file. Not timed (speed is `cargo xtask bench`'s business), and
// not in the default suite: it takes minutes, so it runs only with `cargo xtask test --scale`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, useStack } from "../lib/harness.mjs";
import { realProblems, signIn } from "../journey_lib.mjs";

const USERS = Number(process.env.LICSWAP_SCALE_USERS ?? 1_000_000);
const LONG = Number(process.env.LICSWAP_SCALE_WAIT_MS ?? 1_800_000);
const stack = useStack({ sim: ["--users", String(USERS), "--no-auth"], tenant: "contosogen1.onmicrosoft.com" });

test(`a ${USERS}-user tenant is previewed to its last row and saved as a file`, { timeout: 3_600_000 }, async (t) => {
  const { page, problems } = await openPage(stack.browser, stack.app.url);
  await signIn(page, LONG);
  await page.goto(stack.app.url + "#/migrate");
  const opt = (id, part) => page.locator(`#${id} option`, { hasText: `(${part})` });
  await opt("source", "STANDARDPACK").waitFor({ state: "attached", timeout: LONG });
  await page.selectOption("#source", await opt("source", "STANDARDPACK").getAttribute("value"));
  await page.selectOption("#target", await opt("target", "ENTERPRISEPACK").getAttribute("value"));
  // The load reports its progress as a bar and a line with the share done and the time left.
  const bar = page.locator("progress.load-progress");
  await bar.waitFor({ timeout: LONG });
  await page.getByText(/Reading license holders: \d+ of \d+ \(\d+%\), about .* left/).waitFor({ timeout: LONG });
  const max = Number(await bar.getAttribute("max"));
  assert.ok(max > USERS / 2, `the bar counts the holders (${max})`);
  await screenshot(page, "journey-million-loading");
  await page.getByText(/users hold the source license/).waitFor({ timeout: LONG });
  t.diagnostic(await page.getByText(/users hold the source license/).textContent());

  await page.getByLabel(/plan a first wave/).check();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.locator(".vrow").first().waitFor({ timeout: LONG });
  const counted = await page.getByTestId("row-count").textContent();
  const total = Number(counted.match(/of ([\d,]+) rows/)[1].replace(/,/g, ""));
  assert.ok(total > USERS / 2, `most users are rows (${counted})`);
  assert.ok((await page.locator(".vrow").count()) < 60, "only the rows in view are in the page");

  // To the end of the list: the last row of the whole plan is on screen.
  const list = page.locator(".vlist");
  await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.waitForFunction(
    () => [...document.querySelectorAll(".vrow")].some((r) => r.getAttribute("aria-posinset") === r.getAttribute("aria-setsize")),
    null,
    { timeout: 60_000 },
  );
  const setsize = await page.locator(".vrow").first().getAttribute("aria-setsize");
  assert.equal(Number(setsize), total, "the list holds every row");
  await screenshot(page, "journey-million-last-row");

  // Shared as a file: the preview file downloads, with every row's plan in it.
  const download = page.waitForEvent("download", { timeout: LONG });
  await page.getByRole("button", { name: "Download .json" }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /\.json$/);
  const path = await file.path();
  const { statSync } = await import("node:fs");
  assert.ok(statSync(path).size > 1_000_000, `the file holds the plan (${statSync(path).size} bytes)`);
  assert.deepEqual(realProblems(problems), []);
});
