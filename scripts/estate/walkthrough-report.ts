/** Prints the walkthrough as numbered steps, and remembers whether each went as expected. */
export class WalkthroughReport {
  private step = 0;
  private failures = 0;

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  heading(text: string): void {
    this.write(`\n== ${text}`);
  }

  /** Runs one step; its detail line is printed under it. A thrown error fails the step. */
  async run(title: string, action: () => Promise<string>): Promise<boolean> {
    this.step += 1;
    try {
      const detail = await action();
      this.write(`  ${String(this.step).padStart(2)}. ok    ${title}`);
      for (const line of detail.split('\n')) if (line !== '') this.write(`            ${line}`);
      return true;
    } catch (error) {
      this.failures += 1;
      this.write(`  ${String(this.step).padStart(2)}. FAIL  ${title}`);
      this.write(`            ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  }

  info(line: string): void {
    this.write(`            ${line}`);
  }

  get allPassed(): boolean {
    return this.failures === 0;
  }
}

/** An expectation that failed; its message is what the reader sees. */
export function expectThat(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}
