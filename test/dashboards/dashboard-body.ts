import type { Template } from 'aws-cdk-lib/assertions';

/** A value the template takes from elsewhere: `Ref`, `Fn::GetAtt`, `Fn::GetStackOutput`, ... */
export type Reference = Record<string, unknown>;

/** One metric of a widget, as the dashboard body lists it. */
export interface BodyMetric {
  /** The widget's title. */
  readonly widget: string;
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value; a value taken from elsewhere is a {@link Reference}. */
  readonly dimensions: Readonly<Record<string, string | Reference>>;
}

/** A dashboard as synthesized: its name, widgets, metrics, expressions and text. */
export interface DashboardBody {
  readonly name: string;
  readonly widgets: any[];
  readonly metrics: BodyMetric[];
  /** Math, search and Metrics Insights expressions (references as `<ref>`). */
  readonly expressions: string[];
  /** The markdown of the text widgets (references as `<ref>`). */
  readonly text: string[];
  /** Every value the body takes from elsewhere. */
  readonly references: Reference[];
  /** A string of the body as synthesized: itself, or the reference it stands for. */
  readonly value: (text: string) => string | Reference;
}

const PLACEHOLDER = /@@REF(\d+)@@/g;

/**
 * Every `AWS::CloudWatch::Dashboard` of a template, its body parsed: the body is a string or an
 * `Fn::Join` of strings and references, which stand inside JSON strings; each reference becomes
 * a placeholder before parsing and is given back where it stood as a whole dimension value.
 */
export function dashboards(template: Template): DashboardBody[] {
  return Object.values(template.findResources('AWS::CloudWatch::Dashboard')).map(
    ({ Properties }) => {
      const references: Reference[] = [];
      const body = Properties.DashboardBody;
      const parts: unknown[] = typeof body === 'string' ? [body] : body['Fn::Join'][1];
      const json = parts
        .map((part) => {
          if (typeof part === 'string') return part;
          references.push(part as Reference);
          return `@@REF${references.length - 1}@@`;
        })
        .join('');
      const parsed = JSON.parse(json) as { widgets: any[] };
      const restore = (value: string): string | Reference => {
        const whole = /^@@REF(\d+)@@$/.exec(value);
        return whole === null ? value : references[Number(whole[1])]!;
      };
      const asText = (value: string) => value.replace(PLACEHOLDER, '<ref>');
      const metrics: BodyMetric[] = [];
      const expressions: string[] = [];
      for (const widget of parsed.widgets) {
        for (const entry of widget.properties?.metrics ?? []) {
          const [first] = entry as unknown[];
          if (typeof first === 'object' && first !== null && 'expression' in first) {
            expressions.push(asText((first as { expression: string }).expression));
            continue;
          }
          const [namespace, metricName, ...rest] = entry as unknown[];
          const dimensions: Record<string, string | Reference> = {};
          for (let i = 0; i + 1 < rest.length && typeof rest[i] === 'string'; i += 2) {
            dimensions[rest[i] as string] = restore(rest[i + 1] as string);
          }
          metrics.push({
            widget: widget.properties.title,
            namespace: namespace as string,
            metricName: metricName as string,
            dimensions,
          });
        }
      }
      return {
        name: Properties.DashboardName,
        widgets: parsed.widgets,
        metrics,
        expressions,
        text: parsed.widgets
          .filter((widget) => widget.type === 'text')
          .map((widget) => asText(widget.properties.markdown)),
        references,
        value: restore,
      };
    },
  );
}

/** The dashboard of `dashboards` named `name`. */
export function dashboardNamed(all: readonly DashboardBody[], name: string): DashboardBody {
  const found = all.find((dashboard) => dashboard.name === name);
  if (found === undefined) {
    throw new Error(`no dashboard ${name} among ${all.map((d) => d.name).join(', ')}`);
  }
  return found;
}
