/** A CLI command: one file under cli/commands/, listed once (with its summary) in cli/commands/index.ts. */
export interface Command {
  name: string;
  usage: string;
  /** Returns the process exit code. Writes results to stdout, diagnostics to stderr. */
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
