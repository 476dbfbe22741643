// No silent failure: when the release build panics (a bare trap: panic=immediate-abort), boot.js shows what
// happened, that the apply journal is safe, and a Reload button that brings the run back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, openPage, screenshot, useStack } from "./lib/harness.mjs";
import { pickSkus } from "./journey_lib.mjs";

const stack = useStack({});

/** Makes the app panic through its self-test export (src/main.rs), from a timer, the way a
 * panic in an event handler or a task reaches the page: an uncaught WebAssembly trap. */
async function panic(page) {
  await page.evaluate(async () => {
    const app = await import("./licswap.js");
    setTimeout(() => app.licswap_self_test_panic());
  });
}

test("a panic shows an error screen that says the journal is safe, and Reload resumes", async () => {
  const { page } = await openPage(stack.browser, stack.app.url + "#/migrate");
  await pickSkus(page, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel("Chosen users").check();
  await page.fill("#user-search", "carlos");
  await page.locator(".pick-list input[type=checkbox]").first().check();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await page.getByRole("button", { name: "Apply now" }).click();
  await page.getByText("Applied", { exact: true }).waitFor({ timeout: 30_000 });
  const journal = await page.evaluate(() => localStorage.getItem("licswap.journal"));
  assert.ok(journal);

  await panic(page);
  const screen = page.getByRole("alert");
  await screen.getByRole("heading", { name: "Something went wrong in licswap" }).waitFor();
  const text = await screen.textContent();
  assert.match(text, /stopped because of an internal error .*RuntimeError/);
  assert.match(text, /journal of the apply run is saved in this browser/);
  assert.equal(await page.locator(".app-header").count(), 0, "the dead app's screen is gone");
  await screen.getByRole("button", { name: "Reload" }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Reload", "focus is on Reload");
  assert.deepEqual(await axeViolations(page), []);
  await screenshot(page, "panic-screen");
  assert.equal(await page.evaluate(() => localStorage.getItem("licswap.journal")), journal, "the journal is untouched");

  await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);
  await page.getByRole("heading", { name: "Office 365 E1 → Office 365 E3" }).waitFor({ timeout: 30_000 });
  assert.match(page.url(), /#\/apply$/, "the reload comes back to the same screen");
  await page.goto(stack.app.url + "#/report");
  await page.getByRole("button", { name: "Verify now" }).waitFor();
  assert.match(await page.locator("main").textContent(), /Office 365 E1 → Office 365 E3/, "the run is back after the reload");
});

test("with no run in progress the screen says nothing was being applied", async () => {
  const { page } = await openPage(stack.browser, stack.app.url);
  await page.getByTestId("tenant-name").waitFor({ timeout: 30_000 });
  await panic(page);
  await page.getByRole("heading", { name: "Something went wrong in licswap" }).waitFor();
  assert.match(await page.getByRole("alert").textContent(), /Nothing was being applied/);
});
