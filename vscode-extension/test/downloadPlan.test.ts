// The download plan a Download lens carries: what runs, and what is refused before anything runs.
import assert from "node:assert/strict";
import { test } from "node:test";

import { downloadOutcome, downloadPlanOf } from "../src/launch/downloadPlan";

const PLAN = {
  repo: "meta-llama/Llama-3.2-1B-Instruct",
  argv: ["/env/bin/tune", "download", "meta-llama/Llama-3.2-1B-Instruct", "--output-dir", "/models/llama", "--ignore-patterns", "original/*"],
  cwd: "/work",
  outputDir: "/models/llama",
};

test("the server's plan is taken as it is", () => {
  assert.deepEqual(downloadPlanOf(PLAN), PLAN);
  const module = { ...PLAN, argv: ["/env/bin/python", "-m", "torchtune._cli.tune", ...PLAN.argv.slice(1)] };
  assert.deepEqual(downloadPlanOf(module), module);
});

test("anything else is refused: missing fields, a shell string, another repo, a token in the argv", () => {
  for (const bad of [
    undefined,
    null,
    "tune download x/y",
    { ...PLAN, argv: "tune download x/y --output-dir /m" },
    { ...PLAN, argv: [1, 2] },
    { ...PLAN, cwd: "" },
    { ...PLAN, repo: "other/repo" },
    { ...PLAN, outputDir: "/elsewhere" },
    { ...PLAN, argv: ["download", PLAN.repo, "--output-dir", "/models/llama"] },
    { ...PLAN, argv: [...PLAN.argv, "--hf-token", "hf_secret"] },
    { ...PLAN, argv: [...PLAN.argv, "--hf-token=hf_secret"] },
  ]) {
    assert.equal(downloadPlanOf(bad), undefined, JSON.stringify(bad));
  }
});

test("a failed download says how a gated model gets its token", () => {
  assert.equal(downloadOutcome(PLAN, 0), undefined);
  const failed = downloadOutcome(PLAN, 2) ?? "";
  assert.match(failed, /tune download meta-llama\/Llama-3.2-1B-Instruct failed \(exit code 2\)/);
  assert.match(failed, /HF_TOKEN/);
  assert.match(downloadOutcome(PLAN, undefined) ?? "", /did not finish/);
});
