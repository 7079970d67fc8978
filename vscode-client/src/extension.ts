// The Plumber extension: finds the `plumber` language server, starts it over stdio,
// and shows its state in the status bar.
import * as cp from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import type { Readable } from "stream";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { splitCommandLine } from "./commandline";
import { heapCodeLenses, registerHeapCommands } from "./heap";
import { registerProfileCommands } from "./profile";

const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append("plumber");
const INSTALL_OFFERED_KEY = "plumber.installOffered";
// Settings the server reads through workspace/configuration; the others are the client's own.
const SERVER_SETTINGS = ["debounce", "checks", "generated", "docsUrl"];

/** A server command: the program and its arguments, without `serve`; `env` adds to the environment. */
export interface ServerCommand {
  command: string;
  args: string[];
  source: string;
  env?: Record<string, string>;
}

let client: LanguageClient | undefined;
let log: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let context: vscode.ExtensionContext;
// Each start gets a number; a start that was superseded (restart, settings change, deactivation)
// while it looked for the server or waited on the install offer gives up.
let generation = 0;

export async function activate(ctx: vscode.ExtensionContext): Promise<void> {
  context = ctx;
  log = vscode.window.createOutputChannel("Plumber", { log: true });
  status = vscode.window.createStatusBarItem("plumber.status", vscode.StatusBarAlignment.Left, 0);
  status.name = "Plumber";
  status.command = "plumber.showLogs";
  ctx.subscriptions.push(log, status);
  // The status item shows only while a Go editor is in front.
  ctx.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(() => showStatus()));
  registerProfileCommands(ctx, () => client);
  registerHeapCommands(ctx, () => client);

  ctx.subscriptions.push(
    vscode.commands.registerCommand("plumber.restart", () => restart()),
    vscode.commands.registerCommand("plumber.showLogs", () => log.show()),
    vscode.commands.registerCommand("plumber.fixAll", () => fixAll()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("plumber")) {
        log.info("plumber settings changed" + (client ? ": the server re-reads them" : ""));
      }
      if (e.affectsConfiguration("plumber.path") || e.affectsConfiguration("plumber.interpreter")) {
        log.info("plumber.path or plumber.interpreter changed: restarting the server");
        void restart();
      }
    }),
  );
  // Not awaited: finding (or offering to install) the server must not hold up activation.
  void start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

function setStatus(state: "starting" | "ready" | "error" | "stopped", reason?: string): void {
  const icons = { starting: "$(sync~spin)", ready: "$(check)", error: "$(error)", stopped: "$(circle-slash)" };
  status.text = `${icons[state]} Plumber`;
  status.tooltip = `Plumber: ${state}${reason ? ` (${reason})` : ""}. Click to show the logs.`;
  status.backgroundColor = state === "error" ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  showStatus();
}

function showStatus(): void {
  if (vscode.window.activeTextEditor?.document.languageId === "go") {
    status.show();
  } else {
    status.hide();
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

async function stop(): Promise<void> {
  generation++;
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(2000);
    } catch (e) {
      log.warn(`stopping the server: ${e}`);
    }
    await c.dispose().catch(() => undefined);
  }
  setStatus("stopped");
}

function start(): Promise<void> {
  return doStart(++generation);
}

async function doStart(gen: number): Promise<void> {
  setStatus("starting", "looking for the server");
  let server: ServerCommand | undefined;
  try {
    server = await findServer();
  } catch (e) {
    log.error(`finding the server: ${e}`);
  }
  if (!server && gen === generation) {
    server = await offerInstall();
  }
  if (gen !== generation) {
    return; // superseded by a later start or a stop
  }
  if (!server) {
    setStatus("error", "server not found: set plumber.path, or install the `plumber-lsp` Python package");
    return;
  }
  log.info(`starting the server (${server.source}): ${[server.command, ...server.args, "serve", "--stdio"].join(" ")}`);

  const serverOptions: ServerOptions = {
    command: server.command,
    args: [...server.args, "serve"],
    transport: TransportKind.stdio, // LanguageClient appends --stdio
    options: server.env ? { env: { ...process.env, ...server.env } } : undefined,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "go" },
      { scheme: "untitled", language: "go" },
    ],
    outputChannel: log,
    stdioOptions: {
      stdout: (input, channel) => lines(input, (line) => channel.info(line)),
      stderr: (input) => lines(input, logServerLine),
    },
    synchronize: {
      // didChangeConfiguration carries {"plumber": {"debounce": ..., "checks": ...}}; the server re-pulls too.
      configurationSection: SERVER_SETTINGS.map((s) => `plumber.${s}`),
    },
    middleware: {
      provideCodeLenses: heapCodeLenses, // the heap lenses open the chart
      workspace: {
        // Answer workspace/configuration for "plumber" with the server's settings only.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return result.map((value, i) => {
            const section = params.items[i]?.section;
            if (section === "plumber" && value && typeof value === "object") {
              const picked: Record<string, unknown> = {};
              for (const key of SERVER_SETTINGS) {
                if (key in value) {
                  picked[key] = (value as Record<string, unknown>)[key];
                }
              }
              return picked;
            }
            return value;
          });
        },
      },
    },
  };
  const c = new LanguageClient("plumber", "Plumber", serverOptions, clientOptions);
  client = c;
  c.onDidChangeState((e) => {
    if (client !== c) {
      return;
    }
    if (e.newState === State.Starting) {
      setStatus("starting");
    } else if (e.newState === State.Running) {
      const info = c.initializeResult?.serverInfo;
      setStatus("ready", info ? `${info.name} ${info.version ?? ""}`.trim() : undefined);
    } else if (e.newState === State.Stopped) {
      setStatus("error", "the server stopped; see the logs");
    }
  });
  try {
    await c.start();
  } catch (e) {
    if (client === c) {
      log.error(`the server failed to start: ${e}`);
      setStatus("error", `failed to start: ${e}`);
    }
  }
}

function lines(input: Readable, onLine: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 }).on("line", onLine);
}

let lastServerLevel: "debug" | "info" | "warn" | "error" = "warn";

/** The server logs "plumber LEVEL logger: message" lines to stderr: keep their level in the log. */
export function logServerLine(line: string): void {
  const m = /^plumber (DEBUG|INFO|WARNING|ERROR|CRITICAL) (.*)$/.exec(line);
  if (m) {
    const levels = { DEBUG: "debug", INFO: "info", WARNING: "warn", ERROR: "error", CRITICAL: "error" } as const;
    lastServerLevel = levels[m[1] as keyof typeof levels];
    line = `[server] ${m[2]}`;
  } else {
    line = `[server] ${line}`; // a continuation (a traceback) keeps the level of its first line
  }
  log[lastServerLevel](line);
}

// ---------------------------------------------------------------- finding the server

function expandHome(p: string): string {
  return p.startsWith("~/") ? path.join(process.env.HOME ?? "", p.slice(2)) : p;
}

/** Runs a command briefly; resolves to its output when it exits 0, undefined otherwise. */
function probe(
  command: string,
  args: string[],
  timeoutMs = 15000,
  env?: Record<string, string>,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const options = { timeout: timeoutMs, env: env ? { ...process.env, ...env } : undefined };
    cp.execFile(command, args, options, (err, stdout, stderr) => {
      if (err) {
        log.debug(`probe ${command} ${args.join(" ")}: ${err.message.split("\n")[0]} ${stderr.trim()}`);
        resolve(undefined);
      } else {
        resolve((stdout + stderr).trim());
      }
    });
  });
}

function onPath(name: string): string | undefined {
  const exts = process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE").split(";") : [""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) {
      continue;
    }
    for (const ext of exts) {
      const p = path.join(dir, name + ext);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        if (fs.statSync(p).isFile()) {
          return p;
        }
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function privateVenv(): string {
  return path.join(context.globalStorageUri.fsPath, "venv");
}

function venvBin(venv: string, name: string): string {
  return process.platform === "win32" ? path.join(venv, "Scripts", `${name}.exe`) : path.join(venv, "bin", name);
}

async function works(cmd: ServerCommand): Promise<boolean> {
  const out = await probe(cmd.command, [...cmd.args, "--version"], 15000, cmd.env);
  if (out !== undefined) {
    log.info(`found ${out} (${cmd.source})`);
    return true;
  }
  log.info(`not usable: ${[cmd.command, ...cmd.args].join(" ")} (${cmd.source})`);
  return false;
}

/** The discovery order: plumber.path, `plumber` on PATH, `python -m plumber`, the server bundled in a
 * platform .vsix (with a Python from the Python extension or PATH), the private venv. */
export async function findServer(): Promise<ServerCommand | undefined> {
  const config = vscode.workspace.getConfiguration("plumber");
  const configured = (config.get<string>("path") ?? "").trim();
  if (configured) {
    const words = splitCommandLine(configured).map(expandHome);
    const cmd = { command: words[0], args: words.slice(1), source: "plumber.path" };
    if (await works(cmd)) {
      return cmd;
    }
    log.warn(`plumber.path is set to ${JSON.stringify(configured)} but \`${configured} --version\` failed`);
  }
  const exe = onPath("plumber");
  if (exe) {
    const cmd = { command: exe, args: [], source: "PATH" };
    if (await works(cmd)) {
      return cmd;
    }
  }
  const interpreter = (config.get<string>("interpreter") ?? "").trim();
  if (interpreter) {
    const cmd = { command: expandHome(interpreter), args: ["-m", "plumber"], source: "plumber.interpreter" };
    if (await works(cmd)) {
      return cmd;
    }
  }
  const bundled = await bundledServer();
  if (bundled) {
    return bundled;
  }
  const venvPlumber = venvBin(privateVenv(), "plumber");
  if (fs.existsSync(venvPlumber)) {
    const cmd = { command: venvPlumber, args: [], source: "private environment" };
    if (await works(cmd)) {
      return cmd;
    }
  }
  log.warn("no Plumber server found: plumber.path is unset or fails, `plumber` is not on PATH, " +
    "plumber.interpreter is unset or has no plumber, and there is no private environment");
  return undefined;
}

// ---------------------------------------------------------------- the bundled server

/** The Python the Python extension (ms-python.python) has selected for the workspace, if installed. */
async function pythonExtensionInterpreter(): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension("ms-python.python");
  if (!ext) {
    return undefined;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const api: any = ext.isActive ? ext.exports : await ext.activate();
    const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
    const envs = api?.environments;
    if (envs?.getActiveEnvironmentPath) {
      const active = envs.getActiveEnvironmentPath(resource);
      const resolved = await envs.resolveEnvironment(active);
      const exe: string | undefined = resolved?.executable?.uri?.fsPath ?? active?.path;
      if (exe) {
        return exe;
      }
    }
    const details = api?.settings?.getExecutionDetails?.(resource);
    const command: string[] | undefined = details?.execCommand;
    return command && command.length === 1 ? command[0] : undefined;
  } catch (e) {
    log.warn(`the Python extension gave no interpreter: ${e}`);
    return undefined;
  }
}

/** Python interpreters to try, best first: plumber.interpreter, the Python extension's, PATH's. */
async function pythonCandidates(): Promise<{ python: string; source: string }[]> {
  const config = vscode.workspace.getConfiguration("plumber");
  const out: { python: string; source: string }[] = [];
  const configured = (config.get<string>("interpreter") ?? "").trim();
  if (configured) {
    out.push({ python: expandHome(configured), source: "plumber.interpreter" });
  }
  const fromExtension = await pythonExtensionInterpreter();
  if (fromExtension) {
    out.push({ python: fromExtension, source: "the Python extension" });
  }
  for (const name of ["python3.14", "python3.13", "python3.12", "python3.11", "python3", "python"]) {
    const exe = onPath(name);
    if (exe) {
      out.push({ python: exe, source: "PATH" });
    }
  }
  return out;
}

/** A platform .vsix carries the server and its Python libraries under bundled/libs: common/ (pure and
 * abi3 packages) and cpXY/ (what is built per Python version: tree-sitter). Any Python 3.11+ with a
 * cpXY/ directory runs it, offline. */
async function bundledServer(): Promise<ServerCommand | undefined> {
  const libs = path.join(context.extensionPath, "bundled", "libs");
  if (!fs.existsSync(path.join(libs, "common"))) {
    return undefined;
  }
  const tried = new Set<string>();
  for (const { python, source } of await pythonCandidates()) {
    if (tried.has(python)) {
      continue;
    }
    tried.add(python);
    const tag = await probe(python, ["-c", "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')"]);
    if (!tag || !fs.existsSync(path.join(libs, tag))) {
      log.info(`bundled server: ${python} (${source}) is ${tag ?? "not runnable"}; the bundle has no libraries for it`);
      continue;
    }
    const env = {
      PYTHONPATH: [path.join(libs, tag), path.join(libs, "common")].join(path.delimiter),
      PYTHONNOUSERSITE: "1",
    };
    const cmd = { command: python, args: ["-m", "plumber"], source: `bundled, ${source} ${tag}`, env };
    if (await works(cmd)) {
      return cmd;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- installing into a private venv

async function findPython(): Promise<string | undefined> {
  const config = vscode.workspace.getConfiguration("plumber");
  const candidates = [
    (config.get<string>("interpreter") ?? "").trim(),
    (await pythonExtensionInterpreter()) ?? "",
    "python3.14",
    "python3.13",
    "python3.12",
    "python3.11",
    "python3",
    "python",
  ].filter((c) => c);
  for (const c of candidates) {
    const out = await probe(expandHome(c), ["-c", "import sys; print(int(sys.version_info >= (3, 11)))"]);
    if (out === "1") {
      return expandHome(c);
    }
  }
  return undefined;
}

function bundledWheel(): string | undefined {
  const dir = path.join(context.extensionPath, "bundled");
  try {
    const wheels = fs.readdirSync(dir).filter((f) => f.endsWith(".whl"));
    return wheels.length ? path.join(dir, wheels.sort()[wheels.length - 1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a command, streaming its output to the log; rejects with the tail of the output on failure. */
function run(command: string, args: string[]): Promise<void> {
  log.info(`$ ${command} ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    const p = cp.spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const onData = (d: Buffer) => {
      const text = d.toString();
      tail = (tail + text).slice(-2000);
      for (const line of text.split(/\r?\n/)) {
        if (line.trim()) {
          log.info(line);
        }
      }
    };
    p.stdout.on("data", onData);
    p.stderr.on("data", onData);
    p.on("error", (e) => reject(e));
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}: ${tail.trim()}`))));
  });
}

async function offerInstall(): Promise<ServerCommand | undefined> {
  if (context.globalState.get<boolean>(INSTALL_OFFERED_KEY)) {
    log.warn("the Plumber server was not found (the offer to install it was made before)");
    return undefined;
  }
  await context.globalState.update(INSTALL_OFFERED_KEY, true);
  const wheel = bundledWheel();
  const python = await findPython();
  if (!wheel || !python) {
    const why = !wheel ? "this extension carries no Plumber wheel" : "no Python 3.11+ was found";
    log.error(`the Plumber server was not found, and it cannot be installed: ${why}`);
    void vscode.window
      .showErrorMessage(`Plumber: the server was not found (${why}). Set plumber.path or install plumber-lsp.`, "Show Logs")
      .then((a) => a && log.show());
    return undefined;
  }
  const choice = await vscode.window.showInformationMessage(
    `Plumber: the language server was not found. Install it into a private environment with ${python}?`,
    "Install",
    "Not now",
  );
  if (choice !== "Install") {
    return undefined;
  }
  const venv = privateVenv();
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Plumber: installing the server", cancellable: false },
      async (progress) => {
        fs.mkdirSync(path.dirname(venv), { recursive: true });
        progress.report({ message: "creating a virtual environment" });
        await run(python, ["-m", "venv", "--clear", venv]);
        progress.report({ message: `installing ${path.basename(wheel)} and its dependencies` });
        await run(venvBin(venv, "python"), ["-m", "pip", "install", "--disable-pip-version-check", wheel]);
      },
    );
  } catch (e) {
    log.error(`installing Plumber failed: ${e}`);
    void vscode.window.showErrorMessage("Plumber: installing the server failed; the pip output is in the log.", "Show Logs")
      .then((a) => a && log.show());
    return undefined;
  }
  const cmd = { command: venvBin(venv, "plumber"), args: [], source: "private environment" };
  return (await works(cmd)) ? cmd : undefined;
}

// ---------------------------------------------------------------- fix all

async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "go") {
    void vscode.window.showInformationMessage("Plumber: open a Go file first.");
    return;
  }
  const doc = editor.document;
  const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  const actions =
    (await vscode.commands.executeCommand<vscode.CodeAction[]>(
      "vscode.executeCodeActionProvider",
      doc.uri,
      whole,
      FIX_ALL_KIND.value,
      10,
    )) ?? [];
  const mine = actions.filter((a) => a.kind && FIX_ALL_KIND.contains(a.kind));
  if (!mine.length) {
    void vscode.window.showInformationMessage("Plumber: no leaks to fix in this file.");
    return;
  }
  const action = mine[0];
  if (action.edit) {
    await vscode.workspace.applyEdit(action.edit);
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }
}
