import { inflateRawSync } from "node:zlib";

// Helpers shared by the journey_* tests.

/** Console errors that are not the app's: the CSP meta's ignored frame-ancestors directive, and the
 * 404 of config.json when the app runs without configuration (the demo tenant). */
export function realProblems(problems) {
  return problems.filter(
    (p) => !/frame-ancestors/.test(p) && !/Failed to load resource: the server responded with a status of 404/.test(p),
  );
}

/** Signs in through the app's button (the redirect to sim-server and back) and waits for the
 * tenant overview. */
export async function signIn(page, timeout = 30_000) {
  await page.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.locator(".sku-card").first().waitFor({ timeout });
}

/** The first "Apply now" asks for the write scope: a consent round trip (sim-server grants it at
 * once) that comes back to the apply screen with the plan; the review box is ticked again there. */
export async function consentToWrite(page) {
  const back = page.waitForEvent("load");
  await page.getByRole("button", { name: "Apply now" }).click();
  await back;
  await page.waitForURL(/^[^?]*#\/apply$/, { timeout: 30_000 });
  await page.getByLabel("I have reviewed").check();
}

/** Opens the migration wizard and chooses source and target (see pickSkus). */
export async function openWizard(page, appUrl, source, target, timeout = 60_000) {
  await page.goto(appUrl + "#/migrate");
  await pickSkus(page, source, target, timeout);
}

/** Chooses source and target SKUs by part number in the wizard and waits for the holders. */
export async function pickSkus(page, source, target, timeout = 60_000) {
  const opt = (id, part) => page.locator(`#${id} option`, { hasText: `(${part})` });
  await opt("source", source).waitFor({ state: "attached", timeout: 30_000 });
  await page.selectOption("#source", await opt("source", source).getAttribute("value"));
  await page.selectOption("#target", await opt("target", target).getAttribute("value"));
  await page.getByText(/users hold the source license/).waitFor({ timeout });
}

/** The journal's base as the app stores it: `z1.<generation>.<base64url(raw DEFLATE(json))>`. */
export function readJournal(stored) {
  const m = /^z1\.(\d+)\.(.*)$/.exec(stored ?? "");
  if (!m) throw new Error(`not a stored journal: ${String(stored).slice(0, 40)}`);
  return JSON.parse(inflateRawSync(Buffer.from(m[2], "base64url")).toString("utf8"));
}
