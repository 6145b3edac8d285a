// The run wrapper (bundled/tool/tee.py): a recipe runs as `python -I -S tee.py TAIL_FILE -- ARGV...`, which
// passes the output through to the task's terminal and keeps its last lines in TAIL_FILE, read when the run
// fails (VS Code's API cannot read a task's output). No runtime import of `vscode`: plain-Node unit tests.
import * as fs from "node:fs";
import * as path from "node:path";

/** Where the extension keeps the wrapper and the tail files. */
export interface TeePaths {
  /** bundled/tool/tee.py in the installed extension. */
  tool: string;
  /** The extension's storage folder (context.storageUri, else globalStorageUri). */
  storage: string;
}

/** One run's wrapping: the interpreter that runs the wrapper, the wrapper, the run's tail file. */
export interface TeeSetup {
  python: string;
  tool: string;
  tailFile: string;
}

/**
 * The wrapping for a run, or undefined (run the argv as it is) when there is no absolute interpreter (the plan's
 * debug configuration carries the one the server analyses) or no wrapper (a development checkout never bundled).
 */
export function teeSetup(
  paths: TeePaths | undefined,
  python: unknown,
  id: string,
  exists: (file: string) => boolean = fs.existsSync,
): TeeSetup | undefined {
  if (paths === undefined || typeof python !== "string" || !path.isAbsolute(python) || !exists(paths.tool)) {
    return undefined;
  }
  const safe = id.replace(/[^A-Za-z0-9_.-]+/g, "-");
  return { python, tool: paths.tool, tailFile: path.join(paths.storage, "run-tails", `${safe}.txt`) };
}

/** The argv the task runs: the plan's argv behind the wrapper (`-I -S`: the wrapper needs the standard library only). */
export function teeArgv(setup: TeeSetup, argv: readonly string[]): string[] {
  return [setup.python, "-I", "-S", setup.tool, setup.tailFile, "--", ...argv];
}

/** The lines the wrapper kept (undefined when it wrote none), the file removed either way. */
export async function takeTail(tailFile: string): Promise<string[] | undefined> {
  let text: string;
  try {
    text = await fs.promises.readFile(tailFile, "utf8");
  } catch {
    return undefined;
  }
  await fs.promises.rm(tailFile, { force: true }).catch(() => undefined);
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === "") {
    lines.pop();
  }
  return lines;
}
