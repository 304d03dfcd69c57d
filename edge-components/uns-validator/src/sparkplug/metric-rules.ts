import type { VerdictError } from '../verdict';
import { ASSERTION, ruleError, type SparkplugAssertion } from './assertions';
import { valueFitsDataType, type SparkplugDataType } from './datatypes';
import type { DecodedMetric } from './decode';
import type { EdgeNodeSession, MetricScope } from './edge-node-session';

/** The assertions a birth's metric rules cite (they differ between NBIRTH and DBIRTH). */
export interface BirthAssertions {
  readonly label: 'NBIRTH' | 'DBIRTH';
  /** Each metric names a name, a datatype and a current value of that datatype. */
  readonly metrics: SparkplugAssertion;
  /** Each metric carries a value or is_null. */
  readonly values: SparkplugAssertion;
}

/** The assertions a data or command message's metric rules cite. */
export interface DataAssertions {
  readonly label: 'NDATA' | 'DDATA' | 'NCMD' | 'DCMD';
  /** A metric the births did not define; undefined where the spec only says SHOULD (commands). */
  readonly unknownMetric: SparkplugAssertion | undefined;
  /** A value that does not fit the metric's datatype. */
  readonly valueType: SparkplugAssertion;
}

function describeScope(scope: string): string {
  return scope === '' ? 'the edge node' : `device '${scope}'`;
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  return value instanceof Uint8Array ? 'bytes' : 'an object';
}

function checkValueType(
  metric: DecodedMetric,
  datatype: SparkplugDataType | undefined,
  path: string,
  assertion: SparkplugAssertion,
  errors: VerdictError[],
): void {
  if (datatype === undefined || metric.value == null || valueFitsDataType(datatype, metric.value)) {
    return;
  }
  const message = `value ${valueText(metric.value)} does not fit datatype ${datatype}`;
  errors.push(ruleError(`${path}/value`, message, assertion));
}

function checkDatatypeCode(metric: DecodedMetric, path: string, errors: VerdictError[]): void {
  if (typeof metric.datatype === 'number') {
    const message = `datatype ${metric.datatype} is not a Sparkplug B datatype code (1..34)`;
    errors.push(ruleError(`${path}/datatype`, message, ASSERTION.datatypeValue));
  }
}

/**
 * Checks the metrics of an NBIRTH or DBIRTH and records them in the session: every metric has a
 * name, a valid datatype and a value (or is_null) that fits it; aliases are unique across the
 * edge node's metrics and all its devices' metrics.
 */
export function checkBirthMetrics(
  metrics: readonly DecodedMetric[],
  session: EdgeNodeSession,
  scope: MetricScope,
  rules: BirthAssertions,
  errors: VerdictError[],
): void {
  for (let i = 0; i < metrics.length; i++) {
    const metric = metrics[i];
    if (metric === undefined) continue;
    const path = `/metrics/${i}`;
    const datatype = typeof metric.datatype === 'string' ? metric.datatype : undefined;
    if (metric.name === undefined) {
      errors.push(
        ruleError(`${path}/name`, `${rules.label} metrics must have a name`, rules.metrics),
      );
    } else {
      scope.names.set(metric.name, datatype);
    }
    if (metric.datatype === undefined) {
      const message = `${rules.label} metrics must have a datatype`;
      errors.push(ruleError(`${path}/datatype`, message, ASSERTION.datatypeRequired));
    }
    checkDatatypeCode(metric, path, errors);
    if (metric.alias !== undefined) {
      const taken = session.aliases.get(metric.alias);
      if (taken === undefined) {
        session.aliases.set(metric.alias, { scope: scope.id, name: metric.name, datatype });
        scope.aliases?.push(metric.alias);
      } else {
        const owner = `metric '${taken.name ?? '?'}' of ${describeScope(taken.scope)}`;
        const message = `alias ${metric.alias} is already bound to ${owner}`;
        errors.push(ruleError(`${path}/alias`, message, ASSERTION.aliasUniqueness));
      }
    }
    if (metric.value === undefined && metric.isNull !== true) {
      const message = `${rules.label} metrics must carry their current value or set is_null`;
      errors.push(ruleError(`${path}/value`, message, rules.values));
    }
    checkValueType(metric, datatype, path, rules.metrics, errors);
  }
}

/** The datatype the births gave the metric, or undefined after reporting it unknown. */
function lookUpBirth(
  metric: DecodedMetric,
  session: EdgeNodeSession,
  scope: MetricScope,
  path: string,
  rules: DataAssertions,
  errors: VerdictError[],
): SparkplugDataType | undefined {
  if (metric.alias !== undefined) {
    const binding = session.aliases.get(metric.alias);
    if (binding?.scope === scope.id) return binding.datatype;
    if (rules.unknownMetric !== undefined) {
      const where = binding === undefined ? 'by no birth' : `to ${describeScope(binding.scope)}`;
      const message = `alias ${metric.alias} in ${rules.label} is bound ${where} in this session, not to ${describeScope(scope.id)}`;
      errors.push(ruleError(`${path}/alias`, message, rules.unknownMetric));
    }
    return undefined;
  }
  if (metric.name === undefined) return undefined;
  if (scope.names.has(metric.name)) return scope.names.get(metric.name);
  if (rules.unknownMetric !== undefined) {
    const message = `metric '${metric.name}' in ${rules.label} was not defined by the birth of ${describeScope(scope.id)}`;
    errors.push(ruleError(`${path}/name`, message, rules.unknownMetric));
  }
  return undefined;
}

/**
 * Checks the metrics of an NDATA, DDATA, NCMD or DCMD against the session's births: each metric
 * is named or aliased (not both), refers to a metric of the right birth, and its value fits the
 * datatype the birth declared.
 */
export function checkDataMetrics(
  metrics: readonly DecodedMetric[],
  session: EdgeNodeSession,
  scope: MetricScope,
  rules: DataAssertions,
  errors: VerdictError[],
): void {
  for (let i = 0; i < metrics.length; i++) {
    const metric = metrics[i];
    if (metric === undefined) continue;
    const path = `/metrics/${i}`;
    if (metric.alias === undefined && metric.name === undefined) {
      errors.push(
        ruleError(path, 'metric has neither a name nor an alias', ASSERTION.nameRequired),
      );
      continue;
    }
    if (metric.alias !== undefined && metric.name !== undefined) {
      const message = `${rules.label} metric has alias ${metric.alias} and name '${metric.name}'; with aliases only the alias may be sent`;
      errors.push(ruleError(`${path}/name`, message, ASSERTION.aliasOnlyInDataAndCommands));
    }
    checkDatatypeCode(metric, path, errors);
    const declared = lookUpBirth(metric, session, scope, path, rules, errors);
    const own = typeof metric.datatype === 'string' ? metric.datatype : undefined;
    checkValueType(metric, declared ?? own, path, rules.valueType, errors);
  }
}
