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

/**
 * The program (rules) is invalid. Codes start with `PROGRAM.`. The level-set codes (docs/programme-rules.md,
 * "Thresholds and rank"):
 * - `PROGRAM.DUPLICATE_LEVEL_ID`, `PROGRAM.DUPLICATE_RANK`: ids and ranks must be unique;
 * - `PROGRAM.THRESHOLDS_NOT_RISING`: a threshold falls with rank (same kind, scope and window); equal is allowed;
 * - `PROGRAM.LEVEL_NOT_HARDER`: a higher level's upgrade group is met by whoever meets a lower level's group.
 */
export class ProgramError extends DomainValidationError {}

/** The scenario or an event is invalid. Codes start with `SCENARIO.`. */
export class ScenarioError extends DomainValidationError {}

export type ErrorFactory = (code: string, path: string, message: string) => DomainValidationError;

export const programError: ErrorFactory = (code, path, message) => new ProgramError(`PROGRAM.${code}`, path, message);
export const scenarioError: ErrorFactory = (code, path, message) => new ScenarioError(`SCENARIO.${code}`, path, message);
