// Asking before a prepare step: once per script and workspace, with a faked memory and question.
import assert from "node:assert/strict";
import { test } from "node:test";

import { APPROVED_PREPARE_SCRIPTS, approvedOnce, type Memory } from "../src/launch/consent";

function fakeMemory(initial?: unknown): Memory & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>(initial === undefined ? [] : [[APPROVED_PREPARE_SCRIPTS, initial]]);
  return {
    values,
    get: (key) => values.get(key),
    update: (key, value) => {
      values.set(key, value);
      return Promise.resolve();
    },
  };
}

test("a prepare script is asked about the first time only; a refusal is asked again", async () => {
  const memory = fakeMemory();
  const asked: string[] = [];
  const answer = (yes: boolean) => (script: string) => {
    asked.push(script);
    return Promise.resolve(yes);
  };
  assert.equal(await approvedOnce(memory, "/w/prep.py", answer(false)), false);
  assert.equal(await approvedOnce(memory, "/w/prep.py", answer(true)), true);
  assert.equal(await approvedOnce(memory, "/w/prep.py", answer(false)), true);
  assert.equal(await approvedOnce(memory, "/w/other.py", answer(false)), false);
  assert.deepEqual(asked, ["/w/prep.py", "/w/prep.py", "/w/other.py"]);
  assert.deepEqual(memory.values.get(APPROVED_PREPARE_SCRIPTS), ["/w/prep.py"]);
});

test("a stored value that is not a list of paths approves nothing", async () => {
  for (const stored of ["/w/prep.py", { "/w/prep.py": true }, [42]]) {
    let asked = 0;
    const approved = await approvedOnce(fakeMemory(stored), "/w/prep.py", () => {
      asked += 1;
      return Promise.resolve(false);
    });
    assert.equal(approved, false);
    assert.equal(asked, 1);
  }
});
