/**
 * A configuration mistake found at start-up. It names the environment variable so an operator
 * can fix it; it never reaches a client and never carries key material.
 */
export class EstateConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, problem: string, options?: ErrorOptions) {
    super(`${variable}: ${problem}`, options);
    this.name = 'EstateConfigError';
    this.variable = variable;
  }
}
