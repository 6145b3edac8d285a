import assert from "node:assert/strict";
import { test } from "node:test";

import { parseRunSettings, setsFor } from "../src/runSettings";

test("override sets are read per config path", () => {
  const { settings, problem } = parseRunSettings(
    JSON.stringify({
      overrideSets: { "configs/a.yaml": { quick: ["max_steps_per_epoch=2"], bad: [1] } },
      launch: { nproc_per_node: 2 },
    }),
  );
  assert.equal(problem, undefined);
  assert.deepEqual(setsFor(settings, "configs/a.yaml"), { quick: ["max_steps_per_epoch=2"] });
  assert.deepEqual(setsFor(settings, "other.yaml"), {});
  assert.deepEqual(settings.launch, { nproc_per_node: 2 });
});

test("a missing or broken file means no sets, and says why when broken", () => {
  assert.deepEqual(parseRunSettings(undefined).settings, { overrideSets: {}, launch: {} });
  const broken = parseRunSettings("{ not json");
  assert.deepEqual(broken.settings, { overrideSets: {}, launch: {} });
  assert.match(broken.problem ?? "", /not valid JSON/);
  assert.match(parseRunSettings("[1, 2]").problem ?? "", /must hold an object/);
});
