// The goroutine-profile commands: "Plumber: Load Goroutine Profile..." (plumber.loadProfile: a
// file picker or a localhost URL box) and "Plumber: Clear Goroutine Profile" (plumber.clearProfile).
// They send the server's plumber.loadGoroutineProfile / plumber.clearGoroutineProfile (docs/runtime.md).
// The heap-profile commands (heap.ts) share `sendCommand` and `pickSource`.
//
// The ids differ from the server's (plumber.loadGoroutineProfile / plumber.clearGoroutineProfile) on
// purpose: vscode-languageclient registers the server's executeCommandProvider commands itself,
// and a second registration of the same id fails. These send workspace/executeCommand directly.
import * as vscode from "vscode";
import { ExecuteCommandRequest, LanguageClient } from "vscode-languageclient/node";

const LOAD = "plumber.loadGoroutineProfile";
const CLEAR = "plumber.clearGoroutineProfile";
const LOCAL_URL = /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/i;

/** Sends a server command; undefined when the server is not running or the command failed. */
export async function sendCommand(
  getClient: () => LanguageClient | undefined,
  command: string,
  args: unknown[],
): Promise<unknown> {
  const c = getClient();
  if (!c || !c.isRunning()) {
    void vscode.window.showErrorMessage("Plumber: the server is not running.");
    return undefined;
  }
  try {
    return await c.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  } catch (e) {
    // the server has already shown why (window/showMessage); keep the detail in the log
    c.outputChannel.appendLine(`${command} failed: ${e}`);
    return undefined;
  }
}

export interface SourcePrompt {
  title: string; // the quick pick's title
  urlExample: string; // the URL box's initial value
  urlTitle: string;
  filters: Record<string, string[]>; // the file dialog's
  openLabel: string;
}

/** Asks for a profile: "From a file..." (the file dialog) or "From a localhost URL..." (an input box). */
export async function pickSource(prompt: SourcePrompt): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: "$(file) From a file...", id: "file" },
      { label: "$(globe) From a localhost URL...", id: "url", description: `e.g. ${prompt.urlExample}` },
    ],
    { title: prompt.title },
  );
  if (!pick) {
    return undefined;
  }
  if (pick.id === "file") {
    const files = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: prompt.openLabel,
      filters: prompt.filters,
    });
    return files?.[0]?.fsPath;
  }
  const url = await vscode.window.showInputBox({
    title: prompt.urlTitle,
    value: prompt.urlExample,
    validateInput: (v) => (LOCAL_URL.test(v.trim()) ? undefined : "Only http://127.0.0.1 or http://localhost URLs"),
  });
  return url?.trim() || undefined;
}

export function registerProfileCommands(
  ctx: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
): void {
  ctx.subscriptions.push(
    vscode.commands.registerCommand("plumber.loadProfile", async (source?: string) => {
      if (typeof source !== "string" || !source) {
        source = await pickSource({
          title: "Plumber: Load Goroutine Profile",
          urlExample: "http://localhost:6060/debug/pprof/goroutineleak?debug=1",
          urlTitle: "Plumber: goroutine profile URL (this machine only)",
          filters: { "Goroutine profiles and dumps": ["txt", "log", "out", "dump"], "All files": ["*"] },
          openLabel: "Load Profile",
        });
      }
      if (source) {
        await sendCommand(getClient, LOAD, [source]);
      }
    }),
    vscode.commands.registerCommand("plumber.clearProfile", () => sendCommand(getClient, CLEAR, [])),
  );
}
