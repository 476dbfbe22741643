// Asks for config.json as soon as the page starts, beside the app's scripts and WebAssembly rather
// than after them: the app (src/config_file.rs) takes this answer once instead of asking again, so
// a configured tenant's first screen comes about one round trip sooner. A classic script in a file
// of its own: it runs before the module scripts, and the CSP can go on forbidding inline scripts.
// Never cached, like the app's own request, so a deployer's change applies at once. A failed
// request (no server, offline) is kept as null, which the app reads as "no config.json".
window.__licswapConfig = fetch("config.json", { cache: "no-store" }).catch(() => null);
