// Packages the extension into a .vsix: `npm run package [-- OUT.vsix]`
// (default ../dist/tuneconf-<version>.vsix). Refuses to package without the bundled server.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

const manifest = JSON.parse(readFileSync("package.json", "utf8"));
const out = resolve(process.argv[2] ?? `../dist/${manifest.name}-${manifest.version}.vsix`);

for (const needed of ["bundled/libs/tuneconf", "bundled/tool/launch.py", "bundled/tool/tee.py"]) {
  if (!existsSync(needed)) {
    console.error(`package: ${needed} is missing; run scripts/bundle-libs.sh first`);
    process.exit(1);
  }
}
// Bytecode left by running the launcher here belongs to this machine's Python, not the user's.
for (const entry of readdirSync("bundled", { recursive: true })) {
  if (basename(entry) === "__pycache__") {
    rmSync(join("bundled", entry), { recursive: true, force: true });
  }
}
mkdirSync(dirname(out), { recursive: true });
// --no-dependencies: esbuild already bundled the runtime dependencies into dist/extension.js.
const vsce = spawnSync(process.execPath, ["node_modules/@vscode/vsce/vsce", "package", "--no-dependencies", "--out", out], {
  stdio: "inherit",
});
process.exit(vsce.status ?? 1);
