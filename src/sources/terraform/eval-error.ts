/** What Terraform would report as an error while evaluating; `try`/`can` catch it. */
export class EvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalError';
  }
}
