// The language client: find Python, start `tuneconf serve` over stdio, stop and restart it.
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";

import { CLIENT_COMMANDS } from "./commandIds";
import { activeEnvironmentPython, type InterpreterProbes, probePython, resolveInterpreter, serverArgs } from "./python";

export const SECTION = "tuneconf";
const RUNS = [CLIENT_COMMANDS.runRecipe, CLIENT_COMMANDS.debugRecipe, CLIENT_COMMANDS.downloadModel];
const STATIC = [
  CLIENT_COMMANDS.checkConfig,
  CLIENT_COMMANDS.showEffectiveConfig,
  CLIENT_COMMANDS.compareWithBuiltin,
  CLIENT_COMMANDS.showConfigReferences,
];

/**
 * The lens commands to offer; the server offers lenses only for the commands the client names.
 * Restricted Mode: the static ones only, nothing that runs code (granting trust restarts the server).
 */
function lensCommands(trusted: boolean): string[] {
  return trusted ? [...RUNS, ...STATIC] : STATIC;
}

type Manifest = { contributes: { configuration: { properties: Record<string, unknown> } } };

/**
 * The current `tuneconf.*` values (defaults included), keyed as package.json names them less the
 * `tuneconf.` prefix. package.json is the one declaration of the settings; nothing is listed twice.
 */
export function readSettings(manifest: unknown): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const names = Object.keys((manifest as Manifest).contributes.configuration.properties);
  return Object.fromEntries(names.map((name) => name.slice(SECTION.length + 1)).map((name) => [name, config.get(name)]));
}

/**
 * Owns the one LanguageClient; start/stop/restart run one at a time, in call order.
 * The extension's end of the connection (the Python server, the pygls one, is server/tuneconf's TuneconfServer).
 */
export class ServerConnection {
  private client: LanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly channel: vscode.LogOutputChannel,
  ) {}

  start(): Promise<void> {
    return this.enqueue("start", () => this.startNow());
  }

  stop(): Promise<void> {
    return this.enqueue("stop", () => this.stopNow());
  }

  restart(): Promise<void> {
    return this.enqueue("restart", async () => {
      await this.stopNow();
      await this.startNow();
    });
  }

  /** Runs a command the server implements (workspace/executeCommand); undefined while it is not running. */
  async executeCommand(command: string, args: unknown[]): Promise<unknown> {
    await this.queue;
    if (this.client === undefined) {
      return undefined;
    }
    return this.client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private enqueue(what: string, task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      this.channel.error(`server ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    return this.queue;
  }

  private async startNow(): Promise<void> {
    const resolution = await resolveInterpreter(this.probes());
    if (!resolution.ok) {
      void showNoInterpreter(resolution.message);
      return;
    }
    const { args, bundled } = serverArgs(this.context.extensionPath);
    if (!bundled) {
      this.channel.warn("bundled/libs is missing (development checkout): running `python -m tuneconf serve`");
    }
    this.channel.info(`starting server: ${resolution.python} ${args.join(" ")}`);
    const settings = readSettings(this.context.extension.packageJSON);
    this.client = createClient(resolution.python, args, settings, lensCommands(vscode.workspace.isTrusted), this.channel);
    await this.client.start();
  }

  private async stopNow(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      this.channel.info("stopping server");
      await client.dispose();
    }
  }

  private probes(): InterpreterProbes {
    return {
      setting: () => vscode.workspace.getConfiguration(SECTION).get<string>("interpreter") ?? "",
      // A relative setting names a file in the workspace folder: only a trusted one (Restricted Mode refuses it).
      workspaceFolder: () => (vscode.workspace.isTrusted ? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath : undefined),
      // Restricted Mode: the Python extension's environment may be an interpreter inside the untrusted
      // folder (.venv/bin/python), so it is not run; the user-level setting and python3 on PATH still are.
      pythonExtension: () =>
        vscode.workspace.isTrusted
          ? activeEnvironmentPython()
          : Promise.reject(new Error("not consulted in Restricted Mode (it may name an interpreter inside the folder)")),
      probe: (python) => probePython(python),
      log: (message) => this.channel.info(message),
    };
  }
}

function createClient(
  python: string,
  args: string[],
  settings: Record<string, unknown>,
  clientCommands: string[],
  channel: vscode.OutputChannel,
): LanguageClient {
  // An argv, never a shell string: paths with spaces or quotes stay one argument.
  const serverOptions: ServerOptions = { command: python, args };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "untitled", language: "yaml" },
    ],
    outputChannel: channel,
    synchronize: { configurationSection: SECTION },
    initializationOptions: { settings, clientCommands },
  };
  return new LanguageClient(SECTION, "tuneconf", serverOptions, clientOptions);
}

async function showNoInterpreter(message: string): Promise<void> {
  const open = "Open Settings";
  if ((await vscode.window.showErrorMessage(message, open)) === open) {
    await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.interpreter`);
  }
}
