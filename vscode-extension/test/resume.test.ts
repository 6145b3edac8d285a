// Resume from epoch N: the server's answer read defensively, and the overrides the resumed run gets.
import assert from "node:assert/strict";
import { test } from "node:test";

import { readResumePlan, resumeOverrides, type ResumePlan } from "../src/runs/resumePlan";

const PLAN: ResumePlan = {
  epoch: 1,
  overrides: ["resume_from_checkpoint=True", "checkpointer.adapter_checkpoint=epoch_0/adapter_model.pt", "epochs=2"],
  why: "Resume from epoch 1",
  checkpoint: "/out/epoch_0",
};

test("a plan, an error and a non-answer are told apart", () => {
  assert.deepEqual(readResumePlan({ ...PLAN, family: "lora" }), PLAN);
  assert.deepEqual(readResumePlan({ error: "no checkpoint yet" }), { error: "no checkpoint yet" });
  assert.equal(readResumePlan(null), undefined);
  assert.equal(readResumePlan({ epoch: 1, overrides: ["a=1", 2] }), undefined);
  assert.deepEqual(readResumePlan({ epoch: 2, overrides: [] }), { epoch: 2, overrides: [], why: "", checkpoint: "" });
});

test("the plan's overrides come last and replace the run's for the same key", () => {
  const base = ["output_dir=/out", "epochs=1", "resume_from_checkpoint=False", "~checkpointer.adapter_checkpoint"];
  assert.deepEqual(resumeOverrides(base, PLAN), ["output_dir=/out", ...PLAN.overrides]);
  assert.deepEqual(resumeOverrides([], PLAN), PLAN.overrides);
});
