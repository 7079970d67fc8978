// Drives a running code-server with Debian's Chromium through the Plumber quick-fix flow.
//   node drive.mjs quickfix|install|install-fails|bundled|heap <url> <workspace dir> <artefacts dir> [profile [base line]]
// quickfix: squiggle, Problems entry, quick fix from the Ctrl+. menu, save, settings change,
//           Plumber: Fix All Leaks in File; then, given a goroutine profile file, Plumber: Load
//           Goroutine Profile... (From a file...) and the leaked-goroutine Problems entry, and
//           Plumber: Clear Goroutine Profile and the entry gone.
// install:  no server anywhere; accept the offer to install it, wait for the squiggle, restart.
// install-fails: the same with a pip that fails: an error notification, the status bar, the log.
// bundled:  the platform .vsix with no server anywhere: the squiggle from the bundled server; the
//           status item hidden while go.mod is in front, shown again for main.go.
// heap:     the heapleak program's checkout: its static memory findings; Plumber: Load Heap Profile...
//           (From a file...) and the heap-growth Problems entries and the chart; Plumber: Compare Heap
//           Profile With Base... and the growth, the confirmed static findings, the code lens, the
//           chart (heap-chart.png); a click on the first bar opens its line; Plumber: Clear Heap Profile.
// Exits 0 when every step passed; prints one JSON line per step; screenshots go to <artefacts dir>.
import { createRequire } from "module";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { fileURLToPath } from "url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "..", "..", "vscode-client", "package.json"));
const { chromium } = require("playwright-core");

const [scenario, url, workspace, artefacts, profilePath, basePath, mapLine] = process.argv.slice(2);
const FIX_TITLE = "Insert defer resp.Body.Close()";
const MESSAGE = "resp.Body is never closed";
const T = 90_000;
const mainGo = path.join(workspace, "main.go");
// a line of main.go that shows the file is open
const OPENED_TEXT = scenario === "heap" ? "cache[key] = make" : "http.Get(url)";
const original = fs.readFileSync(mainGo, "utf8");
fs.mkdirSync(artefacts, { recursive: true });
const t0 = Date.now();

function report(step, extra = {}) {
  console.log(JSON.stringify({ step, seconds: (Date.now() - t0) / 1000, ...extra }));
}

async function shot(page, n, name) {
  // animations: "disabled" ends fade-ins (the quick input's) so the picture shows the settled screen.
  await page.screenshot({ path: path.join(artefacts, `${String(n).padStart(2, "0")}-${name}.png`), animations: "disabled" });
}

/** Runs a command from the command palette (F1), by its full title. */
async function runCommand(page, title, n, name) {
  await page.keyboard.press("F1");
  await page.keyboard.type(title);
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: title });
  await row.first().waitFor();
  if (n) await shot(page, n, name);
  await row.first().click();
}

/** Runs a load command and answers its quick pick with "From a file..." and the file's path. */
async function loadFromFile(page, command, title, file, n, name) {
  await runCommand(page, command, n, `${name}-command`);
  await page.locator(".quick-input-title", { hasText: title }).waitFor();
  const fromFile = page.locator(".quick-input-list .monaco-list-row", { hasText: "From a file..." });
  await fromFile.first().waitFor();
  await shot(page, n + 1, `${name}-source`);
  await fromFile.first().click();
  // code-server's file dialog is VS Code's simple one: a quick input holding a path
  const pathBox = page.locator(".quick-input-widget .quick-input-box input");
  await waitFor("the file dialog", async () => (await pathBox.inputValue()).startsWith("/"));
  // The dialog may still be filling in its folder: type the path until it stays typed.
  await waitFor("the path to stay in the file dialog", async () => {
    await pathBox.fill(file);
    await new Promise((r) => setTimeout(r, 500));
    return (await pathBox.inputValue()) === file;
  });
  await shot(page, n + 2, `${name}-file`);
  // Enter while the dialog still validates the path is lost: press it again while the dialog shows.
  const dialog = page.locator(".quick-input-widget").first();
  for (let tries = 1; ; tries++) {
    await page.keyboard.press("Enter");
    try {
      await dialog.waitFor({ state: "hidden", timeout: 10000 });
      return;
    } catch (e) {
      if (tries === 3) throw e;
    }
  }
}

async function rowsWith(problems, text) {
  return (await problems.locator(".monaco-list-row", { hasText: text }).allInnerTexts()).map((s) => s.replace(/\s+/g, " "));
}

async function heapScenario(page, editor) {
  const statusItem = page.locator(".statusbar-item", { hasText: "Plumber" }).first();
  await statusItem.locator(".codicon-check").waitFor();
  await editor.locator(".squiggly-warning").first().waitFor();
  await page.keyboard.press("Control+Shift+M");
  const problems = page.locator(".markers-panel");
  await problems.locator(".monaco-list-row", { hasText: "unbounded-cache" }).first().waitFor();
  await shot(page, 2, "static-findings");
  report("static", { problems: await rowsWith(problems, "plumber") });

  // Plumber: Load Heap Profile..., From a file...: heap-growth entries, a notification, the chart
  await loadFromFile(page, "Plumber: Load Heap Profile...", "Plumber: Load Heap Profile", profilePath, 3, "load-heap");
  const growth = problems.locator(".monaco-list-row", { hasText: "heap-growth" });
  await growth.first().waitFor();
  const loaded = page.locator(".notification-toast", { hasText: "heap profile" });
  await loaded.first().waitFor();
  const webview = page.locator("iframe.webview");
  const chart = page.frameLocator("iframe.webview").frameLocator("#active-frame");
  await chart.locator("h1", { hasText: "Heap in use" }).waitFor();
  await chart.locator("svg .site").first().waitFor();
  await shot(page, 6, "heap-loaded");
  report("heap_loaded", {
    problems: await rowsWith(problems, "heap-growth"),
    notification: await loaded.first().innerText(),
    title: await chart.locator("h1").innerText(),
  });

  // Plumber: Compare Heap Profile With Base...: the growth, the static findings confirmed, lenses
  await loadFromFile(page, "Plumber: Compare Heap Profile With Base...", "Plumber: Compare Heap Profile With Base",
    basePath, 7, "compare-heap");
  await problems.locator(".monaco-list-row", { hasText: "since the base profile" }).first().waitFor();
  await problems.locator(".monaco-list-row", { hasText: "(confirmed: " }).first().waitFor();
  await chart.locator("h1", { hasText: "since the base profile" }).waitFor();
  // Lenses are drawn for the lines in view: go to the map insert (Ctrl+G, line 40).
  await editor.locator(".view-line", { hasText: "package main" }).click({ position: { x: 5, y: 5 } }); // not its middle: that scrolls
  await page.keyboard.press("Control+G");
  await page.locator(".quick-input-widget .quick-input-box input").waitFor();
  await page.keyboard.type(String(mapLine));
  await page.keyboard.press("Enter");
  const lens = editor.locator(".codelens-decoration", { hasText: "since the base profile" });
  await lens.first().waitFor();
  // the editor lays its lines out again around the lenses: wait for the code to be drawn
  await editor.locator(".view-line", { hasText: "cache[key] = make" }).waitFor();
  await new Promise((r) => setTimeout(r, 1000));
  await shot(page, 10, "heap-compared");
  await webview.first().screenshot({ path: path.join(artefacts, "heap-chart.png"), animations: "disabled" });
  const bars = chart.locator("svg .site");
  report("heap_compared", {
    problems: await rowsWith(problems, "plumber"),
    lenses: await lens.allInnerTexts(),
    bars: (await bars.allTextContents()).map((s) => s.replace(/\s+/g, " ")),
    unexplained: await chart.locator("svg .site.unexplained").count(),
  });

  // A click on the longest bar opens its line in the editor.
  const selection = page.locator("#status\\.editor\\.selection");
  const before = await selection.innerText();
  await bars.first().click();
  await waitFor("the cursor to move to the bar's line", async () => (await selection.innerText()) !== before);
  await shot(page, 11, "heap-bar-opened");
  report("bar_opened", { selection: await selection.innerText(), before });

  // Plumber: Clear Heap Profile: the entries, the lenses and the chart go
  await runCommand(page, "Plumber: Clear Heap Profile");
  await waitFor("the heap-growth entries to go", async () => (await growth.count()) === 0);
  await waitFor("the chart to close", async () => (await webview.count()) === 0);
  await waitFor("the code lenses to go", async () => (await lens.count()) === 0);
  await shot(page, 12, "heap-cleared");
  report("heap_cleared", { problems: await rowsWith(problems, "plumber") });
}

async function waitFor(what, fn, timeout = T) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "plumber-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.PLUMBER_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
let page;
try {
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(T);
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator(".monaco-workbench").waitFor();
  report("workbench");

  // Open main.go by clicking it in the Explorer.
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: /^main\.go$/ });
  await row.waitFor();
  await shot(page, 1, "explorer");
  await row.dblclick();
  const editor = page.locator(".editor-instance .monaco-editor").first();
  await editor.locator(".view-line", { hasText: OPENED_TEXT }).waitFor();
  report("opened");

  if (scenario === "heap") {
    await heapScenario(page, editor);
  } else if (scenario === "install-fails") {
    const offer = page.locator(".notification-toast", { hasText: "language server was not found" });
    await offer.waitFor();
    await offer.getByRole("button", { name: "Install" }).click();
    const failed = page.locator(".notification-toast", { hasText: "installing the server failed" });
    await failed.waitFor({ timeout: 120_000 });
    const statusItem = page.locator(".statusbar-item", { hasText: "Plumber" }).first();
    await statusItem.locator(".codicon-error").waitFor();
    await shot(page, 2, "install-failed");
    report("failed", { text: await failed.innerText(), status: await statusItem.getAttribute("aria-label") });
  } else if (scenario === "bundled") {
    // The platform .vsix: no plumber anywhere, only a Python; the server runs from the bundle.
    const squiggle = editor.locator(".squiggly-warning");
    await squiggle.first().waitFor({ timeout: 120_000 });
    const statusItem = page.locator(".statusbar-item", { hasText: "Plumber" }).first();
    await statusItem.locator(".codicon-check").waitFor();
    await shot(page, 2, "bundled-squiggle");
    report("squiggle", { status: await statusItem.getAttribute("aria-label") });
    // The status item is for Go editors only: it goes with go.mod in front, and comes back with main.go.
    const mod = page.locator(".explorer-folders-view .monaco-list-row", { hasText: /^go\.mod$/ });
    await mod.dblclick();
    await page.locator(".editor-instance .monaco-editor .view-line", { hasText: "module example.com" }).first().waitFor();
    await statusItem.waitFor({ state: "hidden" });
    await shot(page, 3, "bundled-go-mod");
    report("hidden_for_go_mod");
    await page.locator(".tabs-container .tab", { hasText: "main.go" }).click();
    await statusItem.waitFor({ state: "visible" });
    report("shown_for_main_go", { status: await statusItem.getAttribute("aria-label") });
  } else if (scenario === "install") {
    const offer = page.locator(".notification-toast", { hasText: "language server was not found" });
    await offer.waitFor();
    const text = await offer.innerText();
    await shot(page, 2, "install-offer");
    report("offer", { text });
    await offer.getByRole("button", { name: "Install" }).click();
    await page.locator(".notification-toast", { hasText: "installing the server" }).waitFor();
    await shot(page, 3, "installing");
    report("installing");
    const squiggle = editor.locator(".squiggly-warning");
    await squiggle.first().waitFor({ timeout: 300_000 });
    const statusItem = page.locator(".statusbar-item", { hasText: "Plumber" }).first();
    await statusItem.locator(".codicon-check").waitFor();
    await shot(page, 4, "installed");
    report("squiggle", { status: await statusItem.getAttribute("aria-label") });

    // Plumber: Restart Server finds the private environment this time, without asking.
    await page.keyboard.press("F1");
    await page.keyboard.type("Plumber: Restart Server");
    const restart = page.locator(".quick-input-list .monaco-list-row", { hasText: "Plumber: Restart Server" });
    await restart.first().waitFor();
    await restart.first().click();
    await statusItem.locator(".codicon-check").waitFor({ state: "detached" });
    await statusItem.locator(".codicon-check").waitFor();
    await squiggle.first().waitFor();
    await shot(page, 5, "restarted");
    report("restarted", { status: await statusItem.getAttribute("aria-label") });
  } else {

  // The squiggle under http.Get(url), and the Plumber status bar item ready.
  const squiggle = editor.locator(".squiggly-warning, .squiggly-error, .squiggly-info");
  await squiggle.first().waitFor();
  const squiggleClass = await squiggle.first().getAttribute("class");
  // The status bar item turns to "$(check) Plumber" once the server is ready.
  const statusItem = page.locator(".statusbar-item", { hasText: "Plumber" }).first();
  await statusItem.locator(".codicon-check").waitFor();
  const statusText = await statusItem.getAttribute("aria-label");
  await shot(page, 2, "squiggle");
  report("squiggle", { class: squiggleClass, status: statusText });

  // The Problems panel lists the finding.
  await page.keyboard.press("Control+Shift+M");
  const problems = page.locator(".markers-panel");
  const problem = problems.locator(".monaco-list-row", { hasText: MESSAGE });
  await problem.first().waitFor();
  const problemText = await problem.first().innerText();
  await shot(page, 3, "problems");
  report("problem", { text: problemText });

  // Quick fix through the UI: put the cursor on the finding, Ctrl+., pick the fix. The cursor must be
  // on the finding's line before the key (the status bar says so), and a Ctrl+. that the workbench
  // swallowed (seen once under load, with the lightbulb shown: the server had answered) is pressed
  // again, as a user would, at most three times.
  await editor.locator(".view-line", { hasText: "http.Get(url)" }).locator("span", { hasText: /Get/ }).last().click();
  await page.locator(".statusbar-item", { hasText: /Ln 9,/ }).first().waitFor();
  const item = page.locator(".action-widget .monaco-list-row", { hasText: FIX_TITLE });
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press("Control+.");
    try {
      await item.first().waitFor({ timeout: 20000 });
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      await page.keyboard.press("Escape");
    }
  }
  const menu = await page.locator(".action-widget .monaco-list-row").allInnerTexts();
  await shot(page, 4, "quickfix-menu");
  report("menu", { items: menu.map((s) => s.trim()) });
  await item.first().click();
  await editor.locator(".view-line", { hasText: "defer resp.Body.Close()" }).waitFor();
  await shot(page, 5, "fixed");
  report("fixed");

  // Save, and read the file back from disk.
  await editor.locator(".view-line", { hasText: "defer resp.Body.Close()" }).click();
  await page.keyboard.press("Control+S");
  await waitFor("main.go to be saved", () => fs.readFileSync(mainGo, "utf8") !== original);
  report("saved");

  // The Problems entry goes away.
  await waitFor("the Problems entry to go", async () => (await problem.count()) === 0);
  await waitFor("the squiggle to go", async () => (await squiggle.count()) === 0);
  await shot(page, 6, "clean");
  report("clean", { problems: (await problems.innerText()).split("\n").filter((s) => s.trim()) });
  const fixed = fs.readFileSync(mainGo, "utf8");

  // A settings change reaches the running server: the project's .vscode/settings.json makes
  // unclosed-body an error. (code-server does not watch User/settings.json for outside writes.)
  fs.mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
  fs.writeFileSync(path.join(workspace, ".vscode", "settings.json"),
    JSON.stringify({ "plumber.checks": { "unclosed-body": { severity: "error" } } }, null, 2));
  // The leak comes back from disk (another tool rewrote the file); the editor reloads it.
  fs.writeFileSync(mainGo, original);
  await editor.locator(".squiggly-error").first().waitFor();
  await problem.first().waitFor();
  await shot(page, 7, "severity-error");
  report("severity", { class: await editor.locator(".squiggly-error").first().getAttribute("class") });

  // Plumber: Fix All Leaks in File, from the command palette.
  await editor.locator(".view-line", { hasText: "http.Get(url)" }).click();
  await page.keyboard.press("F1");
  await page.keyboard.type("Plumber: Fix All Leaks in File");
  const command = page.locator(".quick-input-list .monaco-list-row", { hasText: "Plumber: Fix All Leaks in File" });
  await command.first().waitFor();
  await shot(page, 8, "fix-all-command");
  await command.first().click();
  await editor.locator(".view-line", { hasText: "defer resp.Body.Close()" }).waitFor();
  await page.keyboard.press("Control+S");
  await waitFor("main.go to be saved again", () => fs.readFileSync(mainGo, "utf8") === fixed);
  await waitFor("the Problems entry to go again", async () => (await problem.count()) === 0);
  await shot(page, 9, "fixed-all");
  report("fix_all");

  if (profilePath) {
    // Plumber: Load Goroutine Profile..., From a file...
    await loadFromFile(page, "Plumber: Load Goroutine Profile...", "Plumber: Load Goroutine Profile", profilePath, 10, "load-profile");
    const leaked = problems.locator(".monaco-list-row", { hasText: "leaked-goroutine" });
    await leaked.first().waitFor();
    const loaded = page.locator(".notification-toast", { hasText: "goroutines read from" });
    await loaded.first().waitFor();
    await shot(page, 13, "profile-loaded");
    report("profile", { text: await leaked.first().innerText(), notification: await loaded.first().innerText() });

    await runCommand(page, "Plumber: Clear Goroutine Profile");
    await waitFor("the leaked-goroutine entry to go", async () => (await leaked.count()) === 0);
    await shot(page, 14, "profile-cleared");
    report("profile_cleared", { problems: (await problems.innerText()).split("\n").filter((s) => s.trim()) });
  }
  }
} catch (e) {
  if (page) {
    await shot(page, 99, "failure").catch(() => undefined);
  }
  console.error(String(e && e.stack ? e.stack : e));
  process.exitCode = 1;
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
