// The goroutine-profile commands: "Plumber: Load Goroutine Profile..." (plumber.loadProfile: a
// file picker or a localhost URL box) and "Plumber: Clear Goroutine Profile" (plumber.clearProfile).
// They send the server's plumber.loadGoroutineProfile / plumber.clearGoroutineProfile (docs/runtime.md).
//
// The ids differ from the server's (plumber.loadGoroutineProfile / plumber.clearGoroutineProfile) on
// purpose: vscode-languageclient registers the server's executeCommandProvider commands itself,
// and a second registration of the same id fails. These send workspace/executeCommand directly.
import * as vscode from "vscode";
import { ExecuteCommandRequest, LanguageClient } from "vscode-languageclient/node";

const LOAD = "plumber.loadGoroutineProfile";
const CLEAR = "plumber.clearGoroutineProfile";
const LOCAL_URL = /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/i;

export function registerProfileCommands(
  ctx: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
): void {
  const send = async (command: string, args: unknown[]): Promise<unknown> => {
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
  };

  ctx.subscriptions.push(
    vscode.commands.registerCommand("plumber.loadProfile", async (source?: string) => {
      if (typeof source !== "string" || !source) {
        const pick = await vscode.window.showQuickPick(
          [
            { label: "$(file) From a file...", id: "file" },
            { label: "$(globe) From a localhost URL...", id: "url",
              description: "e.g. http://localhost:6060/debug/pprof/goroutineleak?debug=1" },
          ],
          { title: "Plumber: Load Goroutine Profile" },
        );
        if (!pick) {
          return;
        }
        if (pick.id === "file") {
          const files = await vscode.window.showOpenDialog({
            canSelectMany: false,
            openLabel: "Load Profile",
            filters: { "Goroutine profiles and dumps": ["txt", "log", "out", "dump"], "All files": ["*"] },
          });
          source = files?.[0]?.fsPath;
        } else {
          source = await vscode.window.showInputBox({
            title: "Plumber: goroutine profile URL (this machine only)",
            value: "http://localhost:6060/debug/pprof/goroutineleak?debug=1",
            validateInput: (v) => (LOCAL_URL.test(v.trim()) ? undefined : "Only http://127.0.0.1 or http://localhost URLs"),
          });
          source = source?.trim();
        }
      }
      if (source) {
        await send(LOAD, [source]);
      }
    }),
    vscode.commands.registerCommand("plumber.clearProfile", () => send(CLEAR, [])),
  );
}
