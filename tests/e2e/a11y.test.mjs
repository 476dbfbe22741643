// Accessibility (WCAG 2.1 AA): axe-core's rules on every screen, in the light and the dark theme,
// with 0 serious or critical violations; then what axe cannot judge alone: the layout at 360 px
// (nothing scrolls sideways), the print stylesheet (no navigation, summary and findings first),
// the virtualized list's roles and the detail panel that follows the filter. Screenshots (dark,
// 360 px) and print PDFs go to artifacts/.
// Signed in against sim-server (the Contoso demo tenant over HTTP), so the sign-in screens are
// checked too and everything runs on the real path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TEST_CLIENT, axeViolations, openPage, printPdf, screenshot, serveApp, startSim, useStack } from "./lib/harness.mjs";
import { openWizard, realProblems, signIn, consentToWrite } from "./journey_lib.mjs";

const stack = useStack({});

/** dist/ served with its own sim-server tenant, so each test applies to an untouched Contoso. */
async function freshTenant() {
  const files = {};
  const app = await serveApp({ files });
  const sim = await startSim(["--redirect-uri", app.url, "--client-id", TEST_CLIENT]);
  files["/config.json"] = JSON.stringify({
    clientId: TEST_CLIENT,
    tenant: "contosodemo.onmicrosoft.com",
    authority: sim.url,
    graphBaseUrl: `${sim.url}/v1.0`,
  });
  return {
    url: app.url,
    close: async () => {
      await sim.close();
      await app.close();
    },
  };
}

/** Apply now, through the write-scope consent round trip (asked for only when applying). */
async function applyNow(page) {
  await consentToWrite(page);
  await page.getByRole("button", { name: "Apply now" }).click();
  await page.getByText("Applied", { exact: true }).waitFor({ timeout: 30_000 });
}

/** Visits every screen in order and calls `visit(name)` on each, once it has settled. */
async function everyScreen(page, url, visit) {
  await page.getByRole("button", { name: "Sign in with Microsoft" }).waitFor({ timeout: 30_000 });
  await visit("sign-in");
  await page.getByRole("button", { name: "Use another tenant or app" }).click();
  await page.getByLabel("Application (client) ID").waitFor();
  await visit("sign-in-form");
  // The configuration form's own button signs in with what config.json said.
  await page.reload();
  await signIn(page);
  await page.locator('.sku-card[data-sku="STANDARDPACK"] summary').click();
  await visit("overview");
  await page.getByRole("link", { name: "License health" }).click();
  await page.getByTestId("health-counts").waitFor({ timeout: 30_000 });
  await visit("health");

  await openWizard(page, url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel("Chosen users").check();
  for (const who of ["carlos", "emily"]) {
    await page.fill("#user-search", who);
    await page.locator(".pick-list input[type=checkbox]").first().check();
  }
  await visit("wizard");

  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  await page.locator(".vrow").first().click();
  await page.getByRole("button", { name: "Copy link" }).click();
  const link = await page.getByTestId("share-link").inputValue();
  await visit("preview");

  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await visit("apply");
  await applyNow(page);
  await visit("apply-result");

  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor({ timeout: 30_000 });
  await visit("report");

  await page.goto(link);
  await page.getByText("Shared preview (read-only)").waitFor();
  await visit("share");
  // Four eyes: a reviewer approves the shared preview; the admin opens the approved file and
  // checks it against the tenant as it is now (these two users were swapped since: a difference).
  await page.getByLabel("Your name").fill("Alice Reviewer");
  await page.getByLabel("Your role").fill("Change board");
  await page.getByRole("button", { name: "Approve this plan" }).click();
  await page.getByText(/^Approved by Alice Reviewer \(Change board\)$/).first().waitFor();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download approved preview (.json)" }).click(),
  ]);
  await visit("share-approved");
  await page.goto(url + "#/open");
  await page.setInputFiles("#preview-file", await download.path());
  await page.getByRole("button", { name: "Apply what Alice Reviewer approved…" }).click();
  await page.waitForURL(/#\/apply-approved$/);
  await page.getByTestId("approved-check").waitFor({ timeout: 30_000 });
  await visit("apply-approved");
  await page.goto(url + "#/open");
  await page.getByLabel("Or paste a preview link").waitFor();
  await visit("share-open");
  await page.goto(url + "#/no-such-page");
  await page.getByRole("heading", { name: "Page not found" }).waitFor();
  await visit("not-found");
}

for (const colorScheme of ["light", "dark"]) {
  test(`every screen has no serious or critical WCAG 2.1 AA violation (${colorScheme} theme)`, async () => {
    const tenant = await freshTenant();
    const { page, problems } = await openPage(stack.browser, tenant.url, { colorScheme });
    const found = {};
    const visited = [];
    await everyScreen(page, tenant.url, async (name) => {
      visited.push(name);
      const v = await axeViolations(page);
      if (v.length) found[name] = v;
      if (colorScheme === "dark") await screenshot(page, `a11y-dark-${name}`);
    });
    assert.equal(visited.length, 14, "every screen was checked");
    assert.deepEqual(found, {}, `axe found violations:\n${Object.entries(found).map(([k, v]) => `${k}:\n  ${v.join("\n  ")}`).join("\n")}`);
    if (colorScheme === "dark") {
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(bg, "rgb(13, 17, 23)", "the dark theme follows prefers-color-scheme");
    }
    assert.deepEqual(realProblems(problems), []);
    await page.context().close();
    await tenant.close();
  });
}

test("at 360 px wide every screen fits without scrolling sideways", async () => {
  const tenant = await freshTenant();
  const { page } = await openPage(stack.browser, tenant.url, { viewport: { width: 360, height: 740 } });
  const wide = {};
  await everyScreen(page, tenant.url, async (name) => {
    const overflow = await page.evaluate(() => {
      const root = document.documentElement;
      if (root.scrollWidth <= root.clientWidth) return null;
      // Name the widest culprits, for the message.
      return [...document.querySelectorAll("main *")]
        .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1)
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    });
    if (overflow) wide[name] = overflow;
    await screenshot(page, `a11y-360-${name}`);
  });
  assert.deepEqual(wide, {});
  await page.context().close();
  await tenant.close();
});

test("the preview and the report print as documents: no navigation, summary and findings first", async (t) => {
  const tenant = await freshTenant();
  t.after(() => tenant.close());
  const { page } = await openPage(stack.browser, tenant.url);
  await signIn(page);
  await openWizard(page, tenant.url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  // The URL changes before the plan is drawn: wait for both blocks the layout check compares.
  await page.locator(".summary-grid").waitFor();
  await page.locator(".findings").first().waitFor();
  await page.emulateMedia({ media: "print" });
  const layout = await page.evaluate(() => {
    const shown = (sel) => [...document.querySelectorAll(sel)].some((e) => e.getClientRects().length > 0);
    const top = (sel) => document.querySelector(sel).getBoundingClientRect().top;
    const closed = document.querySelector(".findings details:not([open]) .finding-items");
    return {
      nav: shown("nav.steps"),
      buttons: shown("main button"),
      list: shown(".vlist"),
      summaryBeforeFindings: top(".summary-grid") < top(".findings"),
      closedFindingPrinted: closed ? closed.getClientRects().length > 0 : "no closed finding",
    };
  });
  assert.deepEqual(layout, {
    nav: false,
    buttons: false,
    list: false,
    summaryBeforeFindings: true,
    closedFindingPrinted: true,
  });
  await page.emulateMedia({ media: null });
  assert.deepEqual(await axeViolations(page, { media: "print" }), [], "the printout passes axe too");
  await printPdf(page, "print-preview");

  // A swap that applies, for the report.
  await openWizard(page, tenant.url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByLabel("Chosen users").check();
  await page.fill("#user-search", "carlos");
  await page.locator(".pick-list input[type=checkbox]").first().check();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Apply…" }).click();
  await page.getByLabel("I have reviewed").check();
  await applyNow(page);
  await page.getByRole("link", { name: "Verify and report" }).click();
  await page.getByRole("button", { name: "Verify now" }).click();
  await page.getByTestId("verify-summary").waitFor({ timeout: 30_000 });
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator("nav.steps").isVisible(), false);
  assert.equal(await page.getByTestId("verify-summary").isVisible(), true);
  await page.emulateMedia({ media: null });
  await printPdf(page, "print-report");
});

test("the virtualized list is a listbox whose detail panel follows the filter", async () => {
  const { page } = await openPage(stack.browser, stack.app.url);
  await openWizard(page, stack.app.url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  const list = page.getByRole("listbox", { name: "Users and groups in the plan" });
  const total = Number((await page.getByTestId("row-count").textContent()).match(/of ([\d,]+)/)[1].replace(/,/g, ""));
  const first = list.getByRole("option").first();
  assert.equal(await first.getAttribute("aria-setsize"), String(total), "each row says how many there are");
  assert.equal(await first.getAttribute("aria-posinset"), "1");
  await list.focus();
  await page.keyboard.press("ArrowDown");
  const active = await list.getAttribute("aria-activedescendant");
  assert.ok(active, "the list points at the selected row");
  assert.equal(await page.locator(`#${active}`).getAttribute("aria-selected"), "true");

  // Select a row with nothing to report, then filter to blockers: it is hidden, and so is its detail.
  await page.selectOption("#f-sev", "clean");
  await list.getByRole("option").first().click();
  const name = (await page.locator(".detail h3").textContent()).trim();
  assert.ok(name.length > 0);
  await page.selectOption("#f-sev", "blocker");
  await page.locator(".detail h3").waitFor({ state: "detached" });
  assert.equal(await page.locator(".detail h3").count(), 0, "the detail no longer shows a row the filter hides");
  assert.match(await page.locator(".detail").textContent(), /Select a row/);
  assert.equal(await list.getAttribute("aria-activedescendant"), null);
  // A row the filter keeps stays selected.
  await list.getByRole("option").first().click();
  const heading = await page.locator(".detail h3").textContent();
  await page.fill("#f-search", (await list.locator('[aria-selected="true"] .vname').textContent()).trim());
  assert.equal(await page.locator(".detail h3").textContent(), heading);
});

test("a shared preview never reaches the apply screen", async () => {
  const { page } = await openPage(stack.browser, stack.app.url);
  await openWizard(page, stack.app.url, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Copy link" }).click();
  const link = await page.getByTestId("share-link").inputValue();
  await page.context().close();
  // A reviewer's browser: nothing but the link.
  const reviewer = await openPage(stack.browser, link);
  await reviewer.page.getByText("Shared preview (read-only)").waitFor({ timeout: 30_000 });
  await reviewer.page.goto(stack.app.url + "#/apply");
  await reviewer.page.getByText("There is no plan to apply").waitFor();
  assert.equal(await reviewer.page.getByRole("button", { name: /Apply now/ }).count(), 0);
});
