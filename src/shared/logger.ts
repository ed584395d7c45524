// The logger every long-lived part writes to (the extension's output channel; plain console in tests and the CLI).
export interface Logger {
  trace(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
