// Starts the app, and shows an error screen if it fails. A file, not an inline script, so the
// Content-Security-Policy can forbid inline scripts entirely.
import init from "./licswap.js";

// No silent failure. A Rust panic in the release build is a bare WebAssembly trap (panic =
// immediate-abort, for size): the app cannot go on, and without this the page would just stop
// answering. The trap reaches JavaScript as a WebAssembly.RuntimeError, thrown from an event
// handler (window "error") or from an async task (an unhandled rejection). The screen is plain DOM
// built here, as the WebAssembly is dead by then; errors that are not traps are left alone.
let failed = false;
function showFailure(error) {
  if (failed || !(error instanceof WebAssembly.RuntimeError)) return;
  failed = true;
  let journalKept = false;
  try {
    journalKept = localStorage.getItem("licswap.journal") !== null;
  } catch {
    // Storage unavailable: nothing was journaled in this browser.
  }
  const el = (tag, text, className) => {
    const e = document.createElement(tag);
    if (text) e.textContent = text;
    if (className) e.className = className;
    return e;
  };
  const screen = el("section", "", "panic-screen");
  screen.setAttribute("role", "alert");
  screen.setAttribute("aria-labelledby", "panic-title");
  const title = el("h1", "Something went wrong in licswap");
  title.id = "panic-title";
  const reload = el("button", "Reload");
  reload.type = "button";
  reload.addEventListener("click", () => location.reload());
  screen.append(
    title,
    el("p", `licswap stopped because of an internal error and cannot go on in this page (${error}).`),
    el(
      "p",
      journalKept
        ? "Your license changes are safe: the journal of the apply run is saved in this browser after every " +
            "batch, so reloading shows where the run stopped and resumes it without repeating or losing a call."
        : "Nothing was being applied: no license change was in progress, and nothing is lost in the tenant.",
    ),
    el("p", "Reload the page to carry on. If this happens again, note what you did and the message above for a bug report.", "hint"),
    reload,
  );
  const main = el("main");
  main.id = "main";
  main.append(screen);
  document.body.replaceChildren(main);
  reload.focus();
}
window.addEventListener("error", (ev) => showFailure(ev.error));
window.addEventListener("unhandledrejection", (ev) => showFailure(ev.reason));

// The module early.js compiled as the page loaded, when it could (else the app fetches it).
const compiled = await (window.__licswapWasm ?? null);
delete window.__licswapWasm;
init({ module_or_path: compiled ?? new URL("./licswap_bg.wasm", import.meta.url) }).catch((err) => {
  if (err instanceof WebAssembly.RuntimeError) return showFailure(err);
  const box = document.createElement("p");
  box.setAttribute("role", "alert");
  box.className = "boot-error";
  box.textContent = "licswap could not start in this browser: " + err;
  document.body.append(box);
});
