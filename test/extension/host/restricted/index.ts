// extensionTestsPath entry of the Restricted Mode session (test/extension/restricted.test.ts): the workspace is untrusted.
import { runInWorkspace } from '../runner';
import './suite';

export const run = runInWorkspace;
