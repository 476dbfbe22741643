// Starts the app. A file, not an inline script, so the Content-Security-Policy can forbid inline
// scripts entirely.
import init from "./licswap.js";

init({ module_or_path: new URL("./licswap_bg.wasm", import.meta.url) }).catch((err) => {
  const box = document.createElement("p");
  box.setAttribute("role", "alert");
  box.className = "boot-error";
  box.textContent = "licswap could not start in this browser: " + err;
  document.body.append(box);
});
