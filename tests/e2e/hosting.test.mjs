// The release bundle (dist/) served by Debian's nginx with the shipped header configuration
// (deploy/nginx/licswap-headers.conf, included as it is): every response carries the CSP with
// frame-ancestors 'none', nosniff, no-referrer, HSTS and DENY framing; the app starts and works
// under them (demo tenant, no CSP violation), and a page of another origin cannot frame it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RELEASE_DIST, launchBrowser, openPage, screenshot } from "./lib/harness.mjs";
import { pickSkus } from "./journey_lib.mjs";

const NGINX = process.env.LICSWAP_NGINX || "/usr/sbin/nginx";
const HEADERS_CONF = new URL("../../deploy/nginx/licswap-headers.conf", import.meta.url).pathname;
let nginx, url, browser, framer;

async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  const port = s.address().port;
  await new Promise((ok) => s.close(ok));
  return port;
}

before(async () => {
  assert.ok(existsSync(NGINX), `Debian's nginx at ${NGINX} (cargo xtask test installs it)`);
  assert.ok(existsSync(join(RELEASE_DIST, "index.html")), `the release build in ${RELEASE_DIST} (cargo xtask dist)`);
  const dir = mkdtempSync(join(tmpdir(), "licswap-nginx-"));
  const port = await freePort();
  // Only what a test needs around the shipped server rules: a port, dist/ as root, temp paths.
  writeFileSync(
    join(dir, "nginx.conf"),
    `daemon off;
pid ${dir}/nginx.pid;
error_log stderr warn;
events {}
http {
  include /etc/nginx/mime.types;
  types { application/wasm wasm; }
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${RELEASE_DIST};
    include ${HEADERS_CONF};
  }
}
`,
  );
  nginx = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  nginx.stderr.on("data", (d) => (log += d));
  url = `http://127.0.0.1:${port}/`;
  for (let i = 0; ; i++) {
    try {
      await fetch(url);
      break;
    } catch {
      assert.ok(i < 100 && nginx.exitCode === null, `nginx did not start:\n${log}`);
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
  browser = await launchBrowser();
  framer = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><iframe id="f" src="${url}"></iframe>`);
  });
  await new Promise((ok) => framer.listen(0, "127.0.0.1", ok));
});

after(async () => {
  await browser?.close();
  await new Promise((ok) => (framer ? framer.close(ok) : ok()));
  if (nginx && nginx.exitCode === null) {
    await new Promise((ok) => {
      nginx.on("exit", ok);
      nginx.kill("SIGQUIT");
    });
  }
});

function pageCsp() {
  // The served page's own policy (Trunk minifies the release page and reorders attributes).
  const html = readFileSync(join(RELEASE_DIST, "index.html"), "utf8");
  const meta = html.match(/<meta[^>]*Content-Security-Policy[^>]*>/)[0];
  return meta.match(/content="([^"]+)"/)[1];
}

test("nginx with the shipped configuration sends the security headers on every file", async () => {
  const wasm = readFileSync(join(RELEASE_DIST, "boot.js"), "utf8").match(/licswap_bg\.wasm/) ? "licswap_bg.wasm" : null;
  for (const path of ["", "index.html", "boot.js", wasm, "no-such-file"].filter((p) => p !== null)) {
    const r = await fetch(url + path);
    const h = r.headers;
    assert.equal(h.get("content-security-policy"), `${pageCsp()}; frame-ancestors 'none'`, path);
    assert.equal(h.get("x-content-type-options"), "nosniff", path);
    assert.equal(h.get("referrer-policy"), "no-referrer", path);
    assert.equal(h.get("x-frame-options"), "DENY", path);
    assert.match(h.get("strict-transport-security") ?? "", /max-age=\d{7,}/, path);
    if (path.endsWith(".wasm")) assert.equal(h.get("content-type"), "application/wasm");
    if (path === "no-such-file") assert.equal(r.status, 404);
  }
});

test("the app works under those headers, and another origin cannot frame it", async () => {
  const { page, problems } = await openPage(browser, url);
  const name = page.getByTestId("tenant-name");
  await name.waitFor({ timeout: 30_000 });
  assert.equal((await name.textContent()).trim(), "Contoso Demo");
  // Planning loads the lazily split chunks (more .wasm through nginx) and runs the planner.
  await page.goto(url + "#/migrate");
  await pickSkus(page, "STANDARDPACK", "ENTERPRISEPACK");
  await page.getByRole("button", { name: "Preview" }).click();
  await page.waitForURL(/#\/preview$/);
  await page.getByRole("heading", { name: /→/ }).waitFor({ timeout: 30_000 });
  await screenshot(page, "hosting-nginx");
  assert.deepEqual(problems, [], "no console errors or CSP violations under nginx's headers");

  const framing = await browser.newPage();
  await framing.goto(`http://127.0.0.1:${framer.address().port}/`);
  await framing.waitForTimeout(1500);
  const frame = framing.frames().find((f) => f !== framing.mainFrame());
  const framed = frame ? await frame.evaluate(() => document.body?.innerText ?? "").catch(() => "") : "";
  assert.doesNotMatch(framed, /licswap|Contoso Demo/, "the app did not render inside another site's frame");
  await framing.close();
});
