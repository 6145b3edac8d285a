// Which Python runs the tuneconf server: one ordered, logged resolution.
// No runtime import of `vscode` here, so the unit tests run under plain Node.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** What a probe found out about one candidate interpreter. */
export type ProbeResult = { works: true } | { works: false; reason: string };

/** The outside world the resolution consults, injected so tests can fake it. */
export interface InterpreterProbes {
  /** The `tuneconf.interpreter` setting ("" when unset). */
  setting(): string;
  /** The folder a relative setting is resolved against: the first workspace folder, only when trusted. */
  workspaceFolder(): string | undefined;
  /** The Python extension's active environment's executable; may throw or return undefined. */
  pythonExtension(): Promise<string | undefined>;
  /** Runs the candidate and checks that it is Python 3.11 or newer. */
  probe(python: string): Promise<ProbeResult>;
  log(message: string): void;
}

export type Resolution =
  | { ok: true; python: string; source: string }
  | { ok: false; message: string };

export const PATH_PYTHON = "python3";

export const NO_INTERPRETER_MESSAGE =
  "tuneconf found no Python 3.11 or newer to run its server. Set `tuneconf.interpreter` to a " +
  "Python 3.11+ interpreter, or install Python 3.11+ so that `python3` is on PATH.";

type Step = { source: string; empty: string; find: () => Promise<string | undefined> };

/** Tries the setting, then the Python extension, then python3 on PATH; the first that works wins. */
export async function resolveInterpreter(probes: InterpreterProbes): Promise<Resolution> {
  const steps: Step[] = [
    {
      source: "setting tuneconf.interpreter",
      empty: "empty",
      find: () => Promise.resolve(settingInterpreter(probes.setting(), probes.workspaceFolder())),
    },
    {
      source: "Python extension's active environment",
      empty: "no environment with an interpreter",
      find: () => probes.pythonExtension(),
    },
    { source: "PATH", empty: "", find: () => Promise.resolve(PATH_PYTHON) },
  ];
  for (const step of steps) {
    const python = await tryStep(step, probes);
    if (python !== undefined) {
      return { ok: true, python, source: step.source };
    }
  }
  probes.log(`interpreter: none works. ${NO_INTERPRETER_MESSAGE}`);
  return { ok: false, message: NO_INTERPRETER_MESSAGE };
}

async function tryStep(step: Step, probes: InterpreterProbes): Promise<string | undefined> {
  let python: string | undefined;
  try {
    python = await step.find();
  } catch (error) {
    probes.log(`interpreter: ${step.source}: unavailable (${describe(error)}); skipping`);
    return undefined;
  }
  if (python === undefined) {
    probes.log(`interpreter: ${step.source}: ${step.empty}; skipping`);
    return undefined;
  }
  const result = await probes.probe(python).catch((error: unknown): ProbeResult => ({
    works: false,
    reason: describe(error),
  }));
  if (!result.works) {
    probes.log(`interpreter: ${step.source}: ${python} does not work (${result.reason}); skipping`);
    return undefined;
  }
  probes.log(`interpreter: ${step.source}: using ${python}`);
  return python;
}

const WORKSPACE_FOLDER = "${workspaceFolder}";

/**
 * The setting as an interpreter to run: an absolute path as written; `~/…` in the home folder; a
 * relative path or `${workspaceFolder}/…` in the workspace folder (never in whatever folder this
 * process runs from); a bare name (`python3`) as a name looked up on PATH. Throws, saying why, for a
 * relative path when there is no (trusted) workspace folder; undefined when unset.
 */
export function settingInterpreter(raw: string, folder: string | undefined): string | undefined {
  const value = raw.trim();
  if (value === "") {
    return undefined;
  }
  const relative = value.startsWith(WORKSPACE_FOLDER) ? `.${value.slice(WORKSPACE_FOLDER.length)}` : value;
  if (path.isAbsolute(relative)) {
    return relative;
  }
  if (relative === "~" || relative.startsWith("~/") || relative.startsWith(`~${path.sep}`)) {
    return path.join(os.homedir(), relative.slice(1));
  }
  if (!hasSeparator(relative) && !relative.startsWith(".")) {
    return relative;
  }
  if (folder === undefined) {
    throw new Error(`${value} is relative and no trusted workspace folder is open to resolve it against; set an absolute path`);
  }
  return path.resolve(folder, relative);
}

function hasSeparator(python: string): boolean {
  return python.includes("/") || python.includes(path.sep);
}

const VERSION_CHECK = "import sys; print(sys.version_info >= (3, 11))";

/** Runs `python -c VERSION_CHECK` (no shell) and reports whether it printed True. */
export function probePython(python: string, timeoutMs = 10_000): Promise<ProbeResult> {
  if (!path.isAbsolute(python) && hasSeparator(python)) {
    // It would run whatever file sits there relative to the extension host's folder; settingInterpreter
    // resolves the setting against the workspace folder first.
    return Promise.resolve({ works: false, reason: "a relative path is not run" });
  }
  return new Promise((resolve) => {
    execFile(python, ["-I", "-c", VERSION_CHECK], { timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
      if (error) {
        resolve({ works: false, reason: describe(error) });
      } else if (stdout.trim() === "True") {
        resolve({ works: true });
      } else {
        resolve({ works: false, reason: "older than Python 3.11" });
      }
    });
  });
}

/** How to start the server: from the bundled libs, or (development) from the interpreter's own site-packages. */
export function serverArgs(extensionPath: string, exists: (file: string) => boolean = fs.existsSync): {
  args: string[];
  bundled: boolean;
} {
  const launcher = path.join(extensionPath, "bundled", "tool", "launch.py");
  const libs = path.join(extensionPath, "bundled", "libs");
  if (exists(libs) && exists(launcher)) {
    // -I: no user site or PYTHON* variables; -S: no site-packages and no .pth code: the bundled libs suffice.
    return { args: ["-I", "-S", launcher, "serve"], bundled: true };
  }
  return { args: ["-m", "tuneconf", "serve"], bundled: false };
}

/** The Python extension's active environment's executable; throws when the extension is missing. */
export async function activeEnvironmentPython(timeoutMs = 15_000): Promise<string | undefined> {
  // Imported lazily: the module needs `vscode`, which plain-Node unit tests do not have.
  const { PythonExtension } = await import("@vscode/python-extension");
  const lookup = async (): Promise<string | undefined> => {
    const api = await PythonExtension.api();
    const active = api.environments.getActiveEnvironmentPath();
    const environment = await api.environments.resolveEnvironment(active);
    return environment?.executable.uri?.fsPath;
  };
  return withTimeout(lookup(), timeoutMs, "the Python extension did not answer");
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
