// Bundles the extension (dist/extension.js) and the Run view's page (dist/webview.js + dist/webview.css,
// uPlot included: webviews load nothing from the network) or, with --tests, the unit tests (out/test/*.test.js).
import * as esbuild from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  // VS Code 1.82's extension host runs Node 18.
  target: "node18",
  external: ["vscode"],
  logLevel: "warning",
};

if (process.argv.includes("--tests")) {
  await esbuild.build({ ...common, entryPoints: ["test/*.test.ts"], outdir: "out/test", sourcemap: "inline" });
} else {
  await esbuild.build({ ...common, entryPoints: ["src/extension.ts"], outfile: "dist/extension.js" });
  // The webview runs in VS Code's Chromium (1.82: Chrome 114).
  await esbuild.build({
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "chrome114",
    minify: true,
    logLevel: "warning",
    entryPoints: { webview: "webview/main.ts" },
    outdir: "dist",
  });
}
