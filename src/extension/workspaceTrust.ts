// Workspace Trust (package.json capabilities.untrustedWorkspaces: "limited"). In Restricted Mode DepthLens only parses:
// theory findings, hovers, quick fixes and CodeLens work; runs (they start the engine and read the spec's data files),
// engine warm-up and installing a native or GPU backend (npm) wait until the user trusts the workspace.
import * as vscode from 'vscode';

export const RESTRICTED_MESSAGE =
  'In Restricted Mode DepthLens does not start the engine or read the data files a spec names; theory findings, hovers and quick fixes still work. Trust this workspace to run.';

const MANAGE = 'Manage Workspace Trust';

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

/**
 * True when the workspace is trusted. Otherwise says why `what` cannot happen — as a notification with a button to
 * manage trust when the user asked for it, only in the log for automatic work (auto-run, warm-up) — and returns false.
 */
export function allowedByTrust(what: string, interactive: boolean, log: { info(message: string): void }): boolean {
  if (isTrusted()) return true;
  log.info(`${what}: ${RESTRICTED_MESSAGE}`);
  if (interactive) {
    void vscode.window.showWarningMessage(`DepthLens: ${what} needs a trusted workspace. ${RESTRICTED_MESSAGE}`, MANAGE).then((pick) => {
      if (pick === MANAGE) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  }
  return false;
}
