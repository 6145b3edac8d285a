// Where the cursor is in .vscode/tuneconf.json, for the completion of overrides (overrideCompletion.ts): inside a
// string that is an item of `overrideSets.<config>.<name>`, and what is typed there. Pure (no `vscode`), unit-tested.
// A small scanner rather than JSON.parse: the file is half-written while the user types (an unclosed string, a
// missing comma), and VS Code's JSON allows comments and trailing commas.

/** The override being typed: its set's config (relative to the workspace folder), the text typed so far. */
export interface OverrideSetPosition {
  /** The key under `overrideSets`: the config's path relative to the workspace folder. */
  config: string;
  /** The set's name (the key under the config). */
  name: string;
  /** The string's content from its opening quote to the cursor, JSON escapes decoded. */
  typed: string;
  /** Offset of the string's first character (after the opening quote). */
  start: number;
  /** Offset of the string's closing quote (or of its line's end, when it is not closed yet). */
  end: number;
  /** The set's other items (strings), in order: the server composes the config with them first. */
  others: string[];
}

interface Frame {
  kind: "object" | "array";
  /** The key this container is the value of (undefined in an array or at the top). */
  key: string | undefined;
  /** An object's last key read. */
  lastKey: string | undefined;
  /** An object: whether the next string is a key. */
  expectingKey: boolean;
  /** An array's string items. */
  strings: string[];
}

interface JsonString {
  /** The offset after the closing quote (or the line's end). */
  next: number;
  /** The closing quote's offset (or the line's end). */
  end: number;
}

/** The override set item under the cursor at `offset`, or undefined when the cursor is anywhere else. */
export function overrideSetPositionAt(text: string, offset: number): OverrideSetPosition | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length && i < offset) {
    const c = text[i];
    if (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*")) {
      i = skipComment(text, i);
    } else if (c === '"') {
      const found = readString(text, i);
      if (i + 1 <= offset && offset <= found.end) {
        return atCursor(stack, text, i + 1, offset, found.end);
      }
      took(stack, decode(text.slice(i + 1, found.end)));
      i = found.next;
    } else if (c === "{" || c === "[") {
      const top = stack[stack.length - 1];
      const key = top !== undefined && top.kind === "object" ? top.lastKey : undefined;
      stack.push({ kind: c === "{" ? "object" : "array", key, lastKey: undefined, expectingKey: c === "{", strings: [] });
      i += 1;
    } else {
      if (c === "}" || c === "]") {
        stack.pop();
      } else if (c === ",") {
        const top = stack[stack.length - 1];
        if (top !== undefined && top.kind === "object") {
          top.expectingKey = true;
        }
      }
      i += 1;
    }
  }
  return undefined;
}

/** A string's content is under the cursor: an override when it is an item of `overrideSets.<config>.<name>`. */
function atCursor(stack: Frame[], text: string, start: number, offset: number, end: number): OverrideSetPosition | undefined {
  const [top, sets, config, set] = stack;
  if (stack.length !== 4 || top.kind !== "object" || sets.kind !== "object" || sets.key !== "overrideSets") {
    return undefined;
  }
  if (config.kind !== "object" || config.key === undefined || set.kind !== "array" || set.key === undefined) {
    return undefined;
  }
  const others = [...set.strings, ...laterStrings(text, end)];
  return { config: config.key, name: set.key, typed: decode(text.slice(start, offset)), start, end, others };
}

/** The strings after the item under the cursor in its array, up to the array's end (nested values skipped). */
function laterStrings(text: string, end: number): string[] {
  const found: string[] = [];
  let depth = 0;
  let i = text[end] === '"' ? end + 1 : end;
  while (i < text.length) {
    const c = text[i];
    if (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*")) {
      i = skipComment(text, i);
      continue;
    }
    if (c === '"') {
      const next = readString(text, i);
      if (depth === 0) {
        found.push(decode(text.slice(i + 1, next.end)));
      }
      i = next.next;
      continue;
    }
    if (c === "[" || c === "{") {
      depth += 1;
    } else if (c === "]" || c === "}") {
      if (depth === 0) {
        break;
      }
      depth -= 1;
    }
    i += 1;
  }
  return found;
}

function took(stack: Frame[], value: string): void {
  const top = stack[stack.length - 1];
  if (top === undefined) {
    return;
  }
  if (top.kind === "array") {
    top.strings.push(value);
  } else if (top.expectingKey) {
    top.lastKey = value;
    top.expectingKey = false;
  }
}

/** A string starting at the quote at `at`: it ends at the next unescaped quote, else at its line's end. */
function readString(text: string, at: number): JsonString {
  let i = at + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") {
      i += 2;
    } else if (c === '"') {
      return { next: i + 1, end: i };
    } else if (c === "\n" || c === "\r") {
      return { next: i, end: i };
    } else {
      i += 1;
    }
  }
  return { next: text.length, end: text.length };
}

function skipComment(text: string, at: number): number {
  if (text[at + 1] === "/") {
    const eol = text.indexOf("\n", at);
    return eol === -1 ? text.length : eol + 1;
  }
  const close = text.indexOf("*/", at + 2);
  return close === -1 ? text.length : close + 2;
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/** JSON string content → its text (a half-typed escape at the end is dropped). */
export function decode(raw: string): string {
  let out = "";
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = raw[i + 1];
    if (next === "u" && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(raw.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (next !== undefined) {
      out += ESCAPES[next] ?? next;
      i += 1;
    }
  }
  return out;
}

/** Text → JSON string content (what an item inserts between the quotes). */
export function encode(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
