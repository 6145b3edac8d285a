import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

import { takeTail, teeArgv, teeSetup } from "../src/launch/tee";

const paths = { tool: "/ext/bundled/tool/tee.py", storage: "/storage" };
const exists = (file: string): boolean => file === paths.tool;

test("a run's argv goes behind the wrapper, run by the plan's interpreter, isolated", () => {
  const setup = teeSetup(paths, "/env/bin/python", "1700000000000-ab12", exists);
  assert.deepEqual(setup, {
    python: "/env/bin/python",
    tool: paths.tool,
    tailFile: path.join("/storage", "run-tails", "1700000000000-ab12.txt"),
  });
  const argv = ["/env/bin/tune", "run", "lora_finetune_single_device", "--config", "a b.yaml", "--"];
  assert.deepEqual(teeArgv(setup, argv), ["/env/bin/python", "-I", "-S", paths.tool, setup.tailFile, "--", ...argv]);
});

test("the tail file's name keeps to safe characters", () => {
  const setup = teeSetup(paths, "/env/bin/python", "../x y/z", exists);
  assert.equal(path.dirname(setup!.tailFile), path.join("/storage", "run-tails"));
  assert.equal(path.basename(setup!.tailFile), "..-x-y-z.txt");
});

test("no wrapper without an absolute interpreter, the bundled tee.py, or the paths", () => {
  assert.equal(teeSetup(paths, "python3", "1", exists), undefined);
  assert.equal(teeSetup(paths, undefined, "1", exists), undefined);
  assert.equal(teeSetup(paths, 42, "1", exists), undefined);
  assert.equal(teeSetup(paths, "/env/bin/python", "1", () => false), undefined);
  assert.equal(teeSetup(undefined, "/env/bin/python", "1", exists), undefined);
});

test("the tail is read as lines, and the file removed", async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "tee-test-"));
  const file = path.join(folder, "tail.txt");
  fs.writeFileSync(file, "epoch 0\r\nTraceback (most recent call last):\nRuntimeError: boom\n\n");
  assert.deepEqual(await takeTail(file), ["epoch 0", "Traceback (most recent call last):", "RuntimeError: boom"]);
  assert.equal(fs.existsSync(file), false);
  assert.equal(await takeTail(file), undefined);
  fs.rmSync(folder, { recursive: true, force: true });
});
