// Interpreter resolution, with every probe faked: no VS Code, no real Python.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

import {
  type InterpreterProbes,
  NO_INTERPRETER_MESSAGE,
  PATH_PYTHON,
  type ProbeResult,
  probePython,
  resolveInterpreter,
  serverArgs,
} from "../src/python";

type Fakes = {
  setting?: string;
  folder?: string;
  extension?: () => Promise<string | undefined>;
  working?: string[];
};

function fakeProbes(fakes: Fakes): InterpreterProbes & { logs: string[]; probed: string[] } {
  const logs: string[] = [];
  const probed: string[] = [];
  return {
    logs,
    probed,
    setting: () => fakes.setting ?? "",
    workspaceFolder: () => fakes.folder,
    pythonExtension: fakes.extension ?? (() => Promise.resolve(undefined)),
    probe: (python): Promise<ProbeResult> => {
      probed.push(python);
      const works = (fakes.working ?? []).includes(python);
      return Promise.resolve(works ? { works: true } : { works: false, reason: "exit code 1" });
    },
    log: (message) => logs.push(message),
  };
}

test("the setting wins when it works", async () => {
  const probes = fakeProbes({
    setting: "/envs/a/bin/python",
    extension: () => Promise.resolve("/envs/b/bin/python"),
    working: ["/envs/a/bin/python", "/envs/b/bin/python", PATH_PYTHON],
  });
  const result = await resolveInterpreter(probes);
  assert.deepEqual(result, { ok: true, python: "/envs/a/bin/python", source: "setting tuneconf.interpreter" });
  assert.deepEqual(probes.probed, ["/envs/a/bin/python"]);
  assert.match(probes.logs.join("\n"), /setting tuneconf\.interpreter: using \/envs\/a\/bin\/python/);
});

test("a failing candidate falls through to the next, each step logged", async () => {
  const probes = fakeProbes({
    setting: "/envs/old/bin/python",
    extension: () => Promise.resolve("/envs/b/bin/python"),
    working: ["/envs/b/bin/python"],
  });
  const result = await resolveInterpreter(probes);
  assert.deepEqual(result, { ok: true, python: "/envs/b/bin/python", source: "Python extension's active environment" });
  assert.deepEqual(probes.probed, ["/envs/old/bin/python", "/envs/b/bin/python"]);
  assert.match(probes.logs[0] ?? "", /\/envs\/old\/bin\/python does not work \(exit code 1\)/);
});

test("an empty setting and no Python extension environment fall through to python3 on PATH", async () => {
  const probes = fakeProbes({ setting: "  ", working: [PATH_PYTHON] });
  const result = await resolveInterpreter(probes);
  assert.deepEqual(result, { ok: true, python: PATH_PYTHON, source: "PATH" });
  assert.equal(probes.logs.length, 3);
});

test("the Python extension throwing is tolerated and logged", async () => {
  const probes = fakeProbes({
    extension: () => Promise.reject(new Error("Python extension is not installed or is disabled")),
    working: [PATH_PYTHON],
  });
  const result = await resolveInterpreter(probes);
  assert.equal(result.ok && result.python, PATH_PYTHON);
  assert.match(probes.logs.join("\n"), /unavailable \(Python extension is not installed or is disabled\)/);
});

test("a probe that throws counts as not working", async () => {
  const probes = fakeProbes({ setting: "/bad/python", working: [PATH_PYTHON] });
  probes.probe = (python) => (python === PATH_PYTHON ? Promise.resolve({ works: true }) : Promise.reject(new Error("boom")));
  const result = await resolveInterpreter(probes);
  assert.equal(result.ok && result.python, PATH_PYTHON);
  assert.match(probes.logs.join("\n"), /\/bad\/python does not work \(boom\)/);
});

test("none works: an error result that says how to fix it", async () => {
  const probes = fakeProbes({ setting: "/envs/old/bin/python", extension: () => Promise.resolve("/envs/b/bin/python") });
  const result = await resolveInterpreter(probes);
  assert.deepEqual(result, { ok: false, message: NO_INTERPRETER_MESSAGE });
  assert.match(NO_INTERPRETER_MESSAGE, /tuneconf\.interpreter/);
  assert.deepEqual(probes.probed, ["/envs/old/bin/python", "/envs/b/bin/python", PATH_PYTHON]);
});

test("probePython reports a missing executable as not working", async () => {
  const result = await probePython(path.join("no", "such", "python"), 5_000);
  assert.equal(result.works, false);
});

test("the server starts from the bundled libs when they are there, else from the environment", () => {
  const root = path.join("ext");
  assert.deepEqual(serverArgs(root, () => true), {
    args: ["-I", "-S", path.join(root, "bundled", "tool", "launch.py"), "serve"],
    bundled: true,
  });
  assert.deepEqual(serverArgs(root, () => false), { args: ["-m", "tuneconf", "serve"], bundled: false });
});

test("probePython accepts this machine's python3 when it is 3.11+", async (t) => {
  const result = await probePython(PATH_PYTHON, 10_000);
  if (!result.works && /ENOENT|older/.test(result.reason)) {
    t.skip(`no python3 3.11+ here: ${result.reason}`);
    return;
  }
  assert.deepEqual(result, { works: true });
});

test("a relative setting runs from the workspace folder, and without a trusted folder not at all", async () => {
  const folder = path.resolve("work", "project");
  const inFolder = path.join(folder, ".venv", "bin", "python");
  for (const setting of [".venv/bin/python", "${workspaceFolder}/.venv/bin/python"]) {
    const probes = fakeProbes({ setting, folder, working: [inFolder] });
    assert.deepEqual(await resolveInterpreter(probes), { ok: true, python: inFolder, source: "setting tuneconf.interpreter" });
  }
  const refused = fakeProbes({ setting: ".venv/bin/python", working: [PATH_PYTHON, ".venv/bin/python"] });
  const result = await resolveInterpreter(refused);
  assert.equal(result.ok && result.python, PATH_PYTHON);
  assert.deepEqual(refused.probed, [PATH_PYTHON]);
  assert.match(refused.logs[0] ?? "", /\.venv\/bin\/python is relative and no trusted workspace folder is open/);
});

test("probePython never runs a relative path (it would be a file under the extension host's folder)", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tuneconf-relative-"));
  const marker = path.join(dir, "RAN");
  fs.mkdirSync(path.join(dir, "bin"));
  fs.writeFileSync(path.join(dir, "bin", "python"), `#!/bin/sh\ntouch '${marker}'\necho True\n`, { mode: 0o755 });
  const before = process.cwd();
  process.chdir(dir);
  t.after(() => {
    process.chdir(before);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const result = await probePython(path.join("bin", "python"), 5_000);
  assert.deepEqual(result, { works: false, reason: "a relative path is not run" });
  assert.equal(fs.existsSync(marker), false);
});
