// The Run view's page: a strict Content-Security-Policy (nothing by default; the one script only with
// this page's nonce; styles, fonts and images only from the extension's own files). No `vscode` import:
// the caller passes the webview's URIs as strings, and a plain-Node test reads the policy.
import { randomBytes } from "node:crypto";

export interface PageSources {
  /** webview.cspSource: the origin of the extension's files as the webview sees them. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  title: string;
}

export function nonce(): string {
  return randomBytes(18).toString("base64");
}

export function contentSecurityPolicy(cspSource: string, scriptNonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${scriptNonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join("; ");
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function runViewHtml(sources: PageSources, scriptNonce = nonce()): string {
  const csp = contentSecurityPolicy(sources.cspSource, scriptNonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${escapeHtml(sources.styleUri)}">
<title>${escapeHtml(sources.title)}</title>
</head>
<body>
<header id="head">
  <div id="status"><span id="state" class="state waiting">waiting</span> <span id="progress"></span> <span id="timing"></span></div>
  <div id="actions">
    <label>Smoothing <input id="smoothing" type="range" min="0" max="0.99" step="0.01" value="0.6"><output id="smoothing-value">0.60</output></label>
    <button id="stop" type="button">Stop</button>
    <button id="open-log" type="button">Open log</button>
  </div>
</header>
<p id="note" hidden></p>
<div id="legend"></div>
<main id="charts"></main>
<script nonce="${scriptNonce}" src="${escapeHtml(sources.scriptUri)}"></script>
</body>
</html>
`;
}
