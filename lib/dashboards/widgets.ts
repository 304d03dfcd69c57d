import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Width of a dashboard in grid units: a row of widgets adds up to it. */
export const DASHBOARD_WIDTH = 24;

/** A full-width markdown heading that opens a row of the dashboard. */
export function heading(markdown: string, height = 1): cloudwatch.TextWidget {
  return new cloudwatch.TextWidget({
    markdown,
    width: DASHBOARD_WIDTH,
    height,
    background: cloudwatch.TextWidgetBackground.TRANSPARENT,
  });
}

/** Options of {@link graph}. */
export interface GraphOptions {
  /**
   * Widgets in the row sharing its width.
   * @default 3
   */
  readonly perRow?: number;
  /**
   * Label of the left axis, e.g. `records`.
   * @default - no label; CloudWatch shows the metrics' units instead.
   */
  readonly unit?: string;
  /**
   * Horizontal lines, e.g. the alarm threshold of a KPI.
   * @default - none.
   */
  readonly annotations?: cloudwatch.HorizontalAnnotation[];
  /**
   * Lowest value of the left axis.
   * @default - CloudWatch fits the axis to the data.
   */
  readonly min?: number;
}

/** A line graph of `metrics` on the left axis, a `perRow`th of the dashboard wide. */
export function graph(
  title: string,
  metrics: cloudwatch.IMetric[],
  options: GraphOptions = {},
): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    left: metrics,
    width: DASHBOARD_WIDTH / (options.perRow ?? 3),
    height: 6,
    leftYAxis: { label: options.unit, showUnits: options.unit === undefined, min: options.min },
    leftAnnotations: options.annotations,
    legendPosition: cloudwatch.LegendPosition.BOTTOM,
  });
}

/** `value` quoted for a CloudWatch SEARCH expression (double quotes, backslash escapes). */
export function searchTerm(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** The console address of the CloudWatch dashboard `name` in `region`. */
export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`;
}
