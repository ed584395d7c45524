// The link to the extension host. Inside VS Code: acquireVsCodeApi (postMessage + persisted state). In the standalone
// HTML report it does not exist: the panel is read-only (no run controls, no reveal) and nothing is posted.
import type { WebviewToHost } from '../shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export interface Host {
  /** True inside a VS Code webview: run controls and reveal-on-click are available. */
  readonly interactive: boolean;
  post(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}

export function connectHost(): Host {
  const acquire = (globalThis as { acquireVsCodeApi?: () => VsCodeApi }).acquireVsCodeApi;
  if (typeof acquire !== 'function') {
    return { interactive: false, post: () => undefined, getState: () => undefined, setState: () => undefined };
  }
  const api = acquire();
  return {
    interactive: true,
    post: (message) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}
