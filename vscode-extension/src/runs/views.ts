// The Run views of the window, one per config: opened beside the editor when a run starts (launch/runs.ts),
// or by the Open Run View command (its newest run), or by the lens shown on a config while its run goes.
import * as vscode from "vscode";

import type { ServerConnection } from "../client";
import { CLIENT_COMMANDS } from "../commandIds";
import type { Memory } from "../launch/consent";
import { type Launch, RunView, type RunViewSnapshot } from "./panel";

export class RunViews implements vscode.Disposable, vscode.CodeLensProvider {
  private readonly views = new Map<string, RunView>();
  /** The runs going now, by config: a view reopened while one goes follows it. */
  private readonly going = new Map<string, Launch>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  constructor(
    private readonly server: ServerConnection,
    private readonly memory: Memory,
    private readonly extensionUri: vscode.Uri,
    private readonly overridesFor: (config: vscode.Uri) => string[],
  ) {}

  /** Shows the view of `config` (made when there is none): the run going, else its newest, with the overrides last chosen. */
  open(config: vscode.Uri): RunView {
    const key = config.toString();
    let view = this.views.get(key);
    if (view !== undefined) {
      view.reveal();
      return view;
    }
    view = new RunView(config, this.overridesFor(config), this.server, this.memory, this.extensionUri, () => this.views.delete(key));
    this.views.set(key, view);
    const launch = this.going.get(key);
    if (launch !== undefined) {
      view.follow(launch);
    }
    return view;
  }

  /** A run of `config` started: its view follows it, live. */
  started(config: vscode.Uri, launch: Launch): void {
    this.going.set(config.toString(), launch);
    this.lensesChanged.fire();
    this.open(config).follow(launch);
  }

  /** A run of `config` ended; `tail`: the last lines it printed (a failed run's, from the run wrapper). */
  ended(config: vscode.Uri, exitCode: number | undefined, tail?: string[]): void {
    this.going.delete(config.toString());
    this.lensesChanged.fire();
    this.views.get(config.toString())?.ended(exitCode, tail);
  }

  /** The view in front (its panel active), for commands run from its title bar. */
  active(): RunView | undefined {
    return [...this.views.values()].find((view) => view.panel.active);
  }

  /** Stop the run the config's view follows (its Stop button); false when none is going. */
  stop(config: string): boolean {
    return this.views.get(config)?.stop() ?? false;
  }

  snapshot(config: string): RunViewSnapshot | undefined {
    return this.views.get(config)?.snapshot();
  }

  /** "Run view (running)" on the first line of a config whose run goes. */
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.going.has(document.uri.toString())) {
      return [];
    }
    const command = { title: "$(pulse) Run view (running)", command: CLIENT_COMMANDS.openRunView, arguments: [document.uri.toString()] };
    return [new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), command)];
  }

  dispose(): void {
    this.views.forEach((view) => view.dispose());
    this.views.clear();
    this.lensesChanged.dispose();
  }
}
