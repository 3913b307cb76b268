/**
 * Policies: per-method rules, policy files (JSON, validated with line numbers) and the
 * failure -> action decision table.
 */
export { loadPolicy, parsePolicy } from './policy-file.js';
export type { ResilienceOptionsFromFile, RuleFromFile } from './policy-file.js';
export { PolicyFileError, isPolicyFileError, formatProblem } from './policy-file-error.js';
export type { PolicyProblem } from './policy-file-error.js';
export { FAULT_TABLE, decisionTable, describeAction, formatDelay, renderMarkdownTable, renderTextTable } from './decision-table.js';
export type { DecisionRow, FaultCase } from './decision-table.js';
export { BUILTIN_RULES } from './builtin-rules.js';
export type { Rule, RuleMatch } from './rules.js';
