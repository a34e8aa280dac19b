/**
 * Validation errors with stable codes and a field path (e.g. `program.levels[1].upgrade[0][0].amount`).
 * The scenario CLI prints `path: message (code)`; the admin maps `path` onto form fields.
 */
export class DomainValidationError extends Error {
  readonly code: string;
  readonly path: string;
  constructor(code: string, path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = new.target.name;
    this.code = code;
    this.path = path;
  }
  /** The message without the path prefix. */
  get detail(): string {
    return this.path && this.message.startsWith(`${this.path}: `) ? this.message.slice(this.path.length + 2) : this.message;
  }
}

/** The program (rules) is invalid. Codes start with `PROGRAM.`. */
export class ProgramError extends DomainValidationError {}

/** The scenario or an event is invalid. Codes start with `SCENARIO.`. */
export class ScenarioError extends DomainValidationError {}

export type ErrorFactory = (code: string, path: string, message: string) => DomainValidationError;

export const programError: ErrorFactory = (code, path, message) => new ProgramError(`PROGRAM.${code}`, path, message);
export const scenarioError: ErrorFactory = (code, path, message) => new ScenarioError(`SCENARIO.${code}`, path, message);
