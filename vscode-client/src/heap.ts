// The heap-profile commands: "Plumber: Load Heap Profile...", "Plumber: Compare Heap Profile With
// Base...", "Plumber: Clear Heap Profile" and "Plumber: Show Heap Chart". They send the server's
// plumber.loadHeapProfile / compareHeapProfile / clearHeapProfile (docs/runtime.md) and draw the
// JSON they return as a bar chart in a webview (heapchart.ts); a click on a bar opens its line.
// The server's heap code lenses carry no command (other clients show their title only): the
// middleware here makes them open the chart. Client ids differ from the server's, as in profile.ts.
import { randomBytes } from "crypto";
import * as vscode from "vscode";
import type { LanguageClient, Middleware } from "vscode-languageclient/node";
import { chartHtml, HeapSummary, isHeapSummary } from "./heapchart";
import { pickSource, sendCommand, SourcePrompt } from "./profile";

const LOAD = "plumber.loadHeapProfile";
const COMPARE = "plumber.compareHeapProfile";
const CLEAR = "plumber.clearHeapProfile";
const SHOW_CHART = "plumber.showHeapChart";

const PROMPT: SourcePrompt = {
  title: "Plumber: Load Heap Profile",
  urlExample: "http://localhost:6060/debug/pprof/heap",
  urlTitle: "Plumber: heap profile URL (this machine only)",
  filters: { "Heap profiles (pprof, gzipped)": ["gz", "pb", "pprof", "prof", "out"], "All files": ["*"] },
  openLabel: "Load Heap Profile",
};

let current: HeapSummary | undefined; // the server's loaded heap profile, as it last answered
let panel: vscode.WebviewPanel | undefined;

interface Where {
  path: string;
  line: number;
}

function isWhere(v: unknown): v is Where {
  return typeof v === "object" && v !== null && typeof (v as Where).path === "string" && typeof (v as Where).line === "number";
}

export function registerHeapCommands(ctx: vscode.ExtensionContext, getClient: () => LanguageClient | undefined): void {
  const answer = (result: unknown) => {
    if (isHeapSummary(result)) {
      current = result;
      showChart(result);
    }
  };
  ctx.subscriptions.push(
    vscode.commands.registerCommand("plumber.loadHeap", async (source?: string) => {
      if (typeof source !== "string" || !source) {
        source = await pickSource(PROMPT);
      }
      if (source) {
        answer(await sendCommand(getClient, LOAD, [source]));
      }
    }),
    vscode.commands.registerCommand("plumber.compareHeap", async (base?: string) => {
      const title = "Plumber: Compare Heap Profile With Base";
      const basePrompt = {
        ...PROMPT,
        title: current ? `${title}: the base profile, an earlier one of the same program` : `${title} (2/2): the base profile`,
        openLabel: "Compare With This Base",
      };
      const args: string[] = [];
      if (!current) {
        const source = await pickSource({ ...PROMPT, title: `${title} (1/2): the profile`, openLabel: "Compare This Profile" });
        if (!source) {
          return;
        }
        args.push(source);
      }
      if (typeof base !== "string" || !base) {
        base = await pickSource(basePrompt);
      }
      if (base) {
        answer(await sendCommand(getClient, COMPARE, [...args, base]));
      }
    }),
    vscode.commands.registerCommand("plumber.clearHeap", async () => {
      await sendCommand(getClient, CLEAR, []);
      current = undefined;
      panel?.dispose();
    }),
    vscode.commands.registerCommand("plumber.showHeapChart", (where?: unknown) => {
      if (!current) {
        void vscode.window.showInformationMessage("Plumber: no heap profile is loaded (Plumber: Load Heap Profile...).");
        return;
      }
      const at = isWhere(where) ? current.sites.findIndex((s) => s.path === where.path && s.line === where.line) : -1;
      showChart(current, at >= 0 ? at : undefined);
    }),
  );
}

/** The server's heap lenses (no command id) open the chart at their site. */
export const heapCodeLenses: Middleware["provideCodeLenses"] = async (document, token, next) => {
  const lenses = await next(document, token);
  for (const lens of lenses ?? []) {
    const cmd = lens.command;
    if (cmd && cmd.command === "" && isWhere(cmd.arguments?.[0])) {
      lens.command = { title: cmd.title, command: SHOW_CHART, arguments: cmd.arguments, tooltip: "Show the heap chart" };
    }
  }
  return lenses;
};

function showChart(summary: HeapSummary, selected?: number): void {
  if (!panel) {
    panel = vscode.window.createWebviewPanel(
      "plumber.heapChart",
      "Plumber: Heap",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [] },
    );
    panel.onDidDispose(() => {
      panel = undefined;
    });
    panel.webview.onDidReceiveMessage((m: unknown) => {
      const msg = m as { type?: string; index?: number };
      if (msg?.type === "open" && typeof msg.index === "number") {
        void openSite(msg.index);
      }
    });
  } else {
    panel.reveal(undefined, true);
  }
  panel.title = summary.base !== null ? "Plumber: Heap Growth" : "Plumber: Heap";
  panel.webview.html = chartHtml(summary, {
    nonce: randomBytes(16).toString("base64"),
    cspSource: panel.webview.cspSource,
    relative: (p) => vscode.workspace.asRelativePath(p, false),
    selected,
  });
}

async function openSite(index: number): Promise<void> {
  const site = current?.sites[index];
  if (!site) {
    return;
  }
  const at = new vscode.Position(site.line - 1, 0);
  await vscode.window.showTextDocument(vscode.Uri.file(site.path), {
    selection: new vscode.Range(at, at),
    viewColumn: vscode.ViewColumn.One,
  });
}
