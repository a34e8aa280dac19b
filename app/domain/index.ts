// Tierline's pure rules engine. No framework, database, env or clock: time is always an argument.
export type { Money } from "./money";
export { parseMoney, formatMoney, formatMoneyDisplay } from "./money";
export type { Instant } from "./time";
export { parseInstant, formatInstant, addOneYear, DAY_MS } from "./time";
export { DomainValidationError, ProgramError, ScenarioError } from "./program.errors";
export type {
  Program,
  Level,
  Condition,
  ConditionKind,
  Scope,
  WindowSpec,
  Validity,
  EarnRule,
  PointsSettings,
  Rounding,
  SpendDefinition,
} from "./program";
export { parseProgram, findLevel, CONDITION_KINDS } from "./program";
export type { MemberEvent, MemberEventType, OrderFact, OrderLine, RefundFact } from "./member-events";
export type {
  MemberOutcome,
  MemberStatus,
  NextLevel,
  RequirementProgress,
  PointsEntry,
  PointsEntryKind,
  LevelChange,
  LevelChangeCause,
  LevelChangeReason,
  GroupMet,
  MeasuredCondition,
} from "./member-outcome";
export type { EvaluateOptions } from "./evaluate-member";
export { evaluateMember } from "./evaluate-member";
export { progressToNext } from "./progress";
export { describeLevelChange } from "./describe-level-change";
export type { PreviewMember, PreviewMove, PreviewDiff } from "./preview-diff";
export { previewDiff } from "./preview-diff";
export type { ScenarioOutput, ScenarioMemberOutput } from "./scenario";
export { runScenario } from "./scenario";
