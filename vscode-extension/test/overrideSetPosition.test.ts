import assert from "node:assert/strict";
import { test } from "node:test";

import { decode, encode, overrideSetPositionAt } from "../src/overrideSetPosition";

/** The text with `|` removed, and the cursor's offset there. */
function at(marked: string): [string, number] {
  const offset = marked.indexOf("|");
  assert.notEqual(offset, -1);
  return [marked.slice(0, offset) + marked.slice(offset + 1), offset];
}

function position(marked: string): ReturnType<typeof overrideSetPositionAt> {
  return overrideSetPositionAt(...at(marked));
}

test("an item of an override set gives its config, what is typed and the set's other items", () => {
  const marked = `{
  "launch": { "nproc_per_node": 2, "names": ["x"] },
  "overrideSets": {
    "configs/other.yaml": { "a": ["seed=1"] },
    "conf/config.yaml": {
      "quick": ["db=mysql", "model.l|r=0.1", "seed=3", {"nested": "skip"}],
      "slow": []
    }
  }
}`;
  const [text, offset] = at(marked);
  const found = overrideSetPositionAt(text, offset);
  assert.deepEqual(found, {
    config: "conf/config.yaml",
    name: "quick",
    typed: "model.l",
    start: text.indexOf("model.lr"),
    end: text.indexOf('", "seed=3"'),
    others: ["db=mysql", "seed=3"],
  });
});

test("a half-written file still places the cursor: an unclosed string, no closing brackets, comments", () => {
  const [text, offset] = at('{ // mine\n "overrideSets": { /* a, "b": */ "c.yaml": { "q": ["+db@x=|\n');
  assert.deepEqual(overrideSetPositionAt(text, offset), {
    config: "c.yaml",
    name: "q",
    typed: "+db@x=",
    start: text.indexOf("+db"),
    end: text.length - 1, // the line's end
    others: [],
  });
  assert.equal(position('{"overrideSets": {"c.yaml": {"q": [""|]}}}'), undefined); // after the closing quote
  assert.equal(position('{"overrideSets": {"c.yaml": {"q": [|""]}}}'), undefined); // before the opening quote
  assert.equal(position('{"overrideSets": {"c.yaml": {"q": ["|"]}}}')?.typed, "");
});

test("anywhere else is no override", () => {
  assert.equal(position('{"overrideSets": {"c.|yaml": {"q": []}}}'), undefined); // the config's key
  assert.equal(position('{"overrideSets": {"c.yaml": {"q|": []}}}'), undefined); // the set's name
  assert.equal(position('{"launch": {"c.yaml": {"q": ["a=|"]}}}'), undefined); // not under overrideSets
  assert.equal(position('{"overrideSets": {"c.yaml": {"q": [["a=|"]]}}}'), undefined); // too deep
  assert.equal(position('{"x": {"overrideSets": {"c.yaml": {"q": ["a=|"]}}}}'), undefined); // not at the top
  assert.equal(position('{"overrideSets": {"c.yaml": ["a=|"]}}'), undefined); // no set's name
  assert.equal(position("// \"overrideSets\": {\"c.yaml\": {\"q\": [\"a=|"), undefined); // in a comment
});

test("escapes are decoded in what is typed and the other items, and encoded back for insertion", () => {
  const found = position(String.raw`{"overrideSets": {"c.yaml": {"q": ["a=\"b\"", "tag='x\\y|"]}}}`);
  assert.equal(found?.typed, "tag='x\\y");
  assert.deepEqual(found?.others, ['a="b"']);
  assert.equal(decode("a\\u0041\\n\\"), "aA\n"); // a half-typed escape at the end is dropped
  assert.equal(encode('tag="x\\y"'), 'tag=\\"x\\\\y\\"');
});
