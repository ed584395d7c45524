// extensionTestsPath entry: VS Code calls run() in the extension host; its rejection makes the window exit non-zero.
import { runInWorkspace } from './runner';
import './suite';

export const run = runInWorkspace;
