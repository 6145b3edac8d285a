// The download plan a Download lens or quick fix carries, checked before it runs. No runtime import of
// `vscode` here, so plain-Node unit tests may import it.
import type { DownloadPlan } from "../commandIds";

const TOKEN_FLAGS = ["--hf-token", "--kaggle-username", "--kaggle-api-key"];

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * The plan, when `value` is one the server sends: an argv that runs `tune download REPO` (never a shell
 * string) with no token in it (`tune download` reads HF_TOKEN from the environment), a folder to run in;
 * undefined for anything else.
 */
export function downloadPlanOf(value: unknown): DownloadPlan | undefined {
  if (typeof value !== "object" || value === null) {
    return undefined;
  }
  const { repo, argv, cwd, outputDir } = value as Record<string, unknown>;
  if (typeof repo !== "string" || typeof cwd !== "string" || typeof outputDir !== "string" || !isStrings(argv)) {
    return undefined;
  }
  const at = argv.indexOf("download");
  const runs = at > 0 && argv[0] !== "" && argv[at + 1] === repo && argv.includes(outputDir);
  const token = argv.some((arg) => TOKEN_FLAGS.some((flag) => arg === flag || arg.startsWith(`${flag}=`)));
  return runs && !token && cwd !== "" ? { repo, argv, cwd, outputDir } : undefined;
}

/** What the output channel and the error message say about a download that ended with `exitCode`. */
export function downloadOutcome(plan: DownloadPlan, exitCode: number | undefined): string | undefined {
  if (exitCode === 0) {
    return undefined;
  }
  const how = exitCode === undefined ? "did not finish" : `failed (exit code ${exitCode})`;
  return (
    `tuneconf: tune download ${plan.repo} ${how}; see the terminal. ` +
    "A gated model needs access on the Hub and a token: HF_TOKEN in the environment, or `huggingface-cli login`."
  );
}
