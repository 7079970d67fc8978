// The heap chart: a bar chart of a heap profile's top growth sites, drawn as plain SVG from the JSON
// that plumber.loadHeapProfile / plumber.compareHeapProfile return (no library, nothing fetched: the
// extension works offline). One bar per site, longest first; orange where no static finding
// explains the growth (the place to look first), blue where a check's finding does, named beside it.
// Clicking a bar (or Enter on it) posts {type: "open", index} to the extension, which opens the line.
// No `vscode` import here: the page is a pure function of the JSON, tested under node.

export interface HeapStep {
  path: string;
  line: number;
  function: string;
}

export interface HeapStatic {
  code: string;
  line: number;
  message: string;
}

export interface HeapSite {
  path: string;
  line: number;
  function: string;
  value: number;
  base: number | null;
  delta: number | null;
  amount: string; // "+39.1 MiB", or "46.9 MiB" without a base
  share: number | null; // of the growth (with a base) or of the whole profile, 0..1
  message: string;
  callPath: HeapStep[]; // workspace callers, outermost first
  callPaths: number;
  static: HeapStatic[]; // the static findings this site confirms
}

export interface HeapSummary {
  kind: "heap";
  source: string;
  base: string | null;
  sample: string;
  unit: string;
  total: number;
  baseTotal: number | null;
  growth: number | null;
  unplaced: number;
  headline: string;
  findings: number;
  files: string[];
  ambiguous: string[];
  sites: HeapSite[];
}

export interface ChartOptions {
  nonce: string;
  cspSource: string;
  relative: (path: string) => string; // a path as the user reads it (relative to the workspace)
  selected?: number; // the site to outline (a code lens was clicked)
}

export function isHeapSummary(v: unknown): v is HeapSummary {
  return typeof v === "object" && v !== null && (v as HeapSummary).kind === "heap" && Array.isArray((v as HeapSummary).sites);
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

function shortFunc(f: string): string {
  return f.slice(f.lastIndexOf("/") + 1);
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export function percent(share: number | null): string {
  if (share === null) {
    return "";
  }
  const p = 100 * share;
  return p > 0 && p < 1 ? "<1%" : `${Math.round(p)}%`;
}

// The chart fills the panel's width: the columns are percentages, the text keeps its size.
const LABEL_PCT = 40; // file:line, function, call path (clipped to this column)
const BAR_PCT = 41; // where the bars start
const BAR_MAX_PCT = 30; // the longest bar
const ROW_H = 58;
const TOP = 8;

/** The chart's rows as SVG (exported for the test). */
export function chartSvg(s: HeapSummary, o: Pick<ChartOptions, "relative" | "selected">): string {
  const parts = s.sites.map((site) => Math.max(0, (s.base !== null ? site.delta : site.value) ?? 0));
  const largest = Math.max(1, ...parts);
  // only memory still in use confirms a leak: allocation profiles (alloc_space ...) explain nothing
  const inUse = s.sample.startsWith("inuse");
  const rows = s.sites.map((site, i) => {
    const y = TOP + i * ROW_H;
    const w = Math.max(0.3, (BAR_MAX_PCT * parts[i]) / largest).toFixed(2);
    const explained = site.static.length > 0;
    const kind = !inUse ? "allocated" : explained ? "explained" : "unexplained";
    const where = `${o.relative(site.path)}:${site.line}`;
    const chain = [...site.callPath.map((c) => shortFunc(c.function)), shortFunc(site.function)].join(" → ");
    const tag = !inUse
      ? "allocated, freed or not"
      : explained
        ? `confirms ${site.static.map((f) => `${f.code} (line ${f.line})`).join(", ")}`
        : "no static finding: look here first";
    const tooltip = [
      site.message,
      `${where} ${site.function}`,
      ...site.callPath.map((c, n) => `${n + 1}. ${c.function} (${o.relative(c.path)}:${c.line})`),
      tag,
    ]
      .map(escapeXml)
      .join("&#10;");
    const selected = o.selected === i ? " selected" : "";
    return (
      `<g class="site ${kind}${selected}" data-index="${i}" tabindex="0" role="button" ` +
      `aria-label="${escapeXml(`${where}: ${site.message}. ${tag}`)}" transform="translate(0 ${y})">` +
      `<title>${tooltip}</title>` +
      `<rect class="row" x="0" y="0" width="100%" height="${ROW_H - 6}" rx="3"/>` +
      `<svg class="label" x="0" y="0" width="${LABEL_PCT}%" height="${ROW_H - 6}">` +
      `<text x="8" y="19"><tspan class="where">${escapeXml(clip(where, 60))}</tspan>` +
      `<tspan class="func" dx="8">${escapeXml(clip(shortFunc(site.function), 40))}</tspan></text>` +
      `<text class="muted small" x="8" y="40">${escapeXml(clip(chain, 90))}</text></svg>` +
      `<rect class="bar" x="${BAR_PCT}%" y="5" width="${w}%" height="20" rx="2"/>` +
      `<text class="amount" x="${(BAR_PCT + Number(w)).toFixed(2)}%" dx="8" y="20">${escapeXml(site.amount)}` +
      (site.share !== null ? `<tspan class="muted" dx="6">${escapeXml(percent(site.share))}</tspan>` : "") +
      `</text>` +
      `<text class="tag small" x="${BAR_PCT}%" y="42">${escapeXml(clip(tag, 100))}</text>` +
      `</g>`
    );
  });
  const height = TOP + Math.max(1, s.sites.length) * ROW_H;
  const empty = s.sites.length
    ? ""
    : `<text class="muted" x="8" y="30">${s.base !== null ? "Nothing grew in workspace code." : "No memory in workspace code."}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" id="chart" width="100%" height="${height}" role="list">` +
    `${rows.join("")}${empty}</svg>`
  );
}

export function chartTitle(s: HeapSummary): string {
  if (s.base !== null) {
    return "Heap growth since the base profile";
  }
  return s.sample.startsWith("inuse") ? "Heap in use" : "Heap allocations";
}

/** The webview's whole page. */
export function chartHtml(s: HeapSummary, o: ChartOptions): string {
  const nonce = escapeXml(o.nonce);
  const unexplained = s.sites.filter((x) => x.static.length === 0).length;
  const from = s.base !== null ? `${s.source} against the base ${s.base}` : s.source;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${escapeXml(o.cspSource)}; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeXml(chartTitle(s))}</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family, sans-serif); color: var(--vscode-foreground, #333); padding: 8px 16px; }
  h1 { font-size: 1.3em; font-weight: 600; margin: 0.4em 0 0.2em; }
  p { margin: 0.2em 0 0.6em; }
  .muted { color: var(--vscode-descriptionForeground, #777); }
  svg text { fill: var(--vscode-foreground, #333); font-size: 13px; }
  svg text.muted, svg tspan.muted { fill: var(--vscode-descriptionForeground, #777); }
  svg .small { font-size: 11px; }
  svg .where { font-weight: 600; }
  .site { cursor: pointer; outline: none; }
  .site rect.row { fill: transparent; stroke: none; }
  .site:hover rect.row, .site:focus rect.row { fill: var(--vscode-list-hoverBackground, rgba(128, 128, 128, 0.15)); }
  .site.selected rect.row { stroke: var(--vscode-focusBorder, #0090f1); stroke-width: 1.5; }
  .explained rect.bar { fill: var(--vscode-charts-blue, #3794ff); }
  .unexplained rect.bar { fill: var(--vscode-charts-orange, #d18616); }
  .unexplained text.tag { fill: var(--vscode-charts-orange, #d18616); }
  .allocated rect.bar { fill: var(--vscode-charts-gray, #888); }
  .legend .swatch { display: inline-block; width: 0.9em; height: 0.9em; margin: 0 0.3em 0 1em; vertical-align: -0.1em; }
  .legend .o { background: var(--vscode-charts-orange, #d18616); margin-left: 0; }
  .legend .b { background: var(--vscode-charts-blue, #3794ff); }
</style>
</head>
<body>
<h1>${escapeXml(chartTitle(s))}</h1>
<p>${escapeXml(s.headline)} <span class="muted">(${escapeXml(s.sample)}; ${escapeXml(from)})</span></p>
${
  s.sample.startsWith("inuse")
    ? `<p class="legend"><span class="swatch o"></span>no static finding explains it (${unexplained} of ${s.sites.length}): look there first<span class="swatch b"></span>a static finding says why<span class="muted">&#8195;Click a bar to open its line.</span></p>`
    : `<p class="legend muted">Allocations since the program started, freed or not: a leak is memory still in use (inuse_space). Click a bar to open its line.</p>`
}
${chartSvg(s, o)}
<script nonce="${nonce}">
  const vscode = acquireVsCodeApi();
  for (const el of document.querySelectorAll(".site")) {
    const open = () => vscode.postMessage({ type: "open", index: Number(el.dataset.index) });
    el.addEventListener("click", open);
    el.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); }
    });
  }
</script>
</body>
</html>`;
}
