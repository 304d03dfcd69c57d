/**
 * The benchmark's side of the load: starts the publisher processes, has them start together and
 * sums up what they sent.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PublisherReport } from './publisher';
import { formatSteps, shareOf, type LoadStep } from './steps';

/** Delay between the start command and the start, for every publisher to get it in time. */
const START_DELAY_MS = 100;

/** What the publishers sent. */
export interface LoadReport {
  readonly steps: readonly StepReport[];
  /** Messages published by all publishers together. */
  readonly published: number;
  /** CPU time of each publisher process from its start to its last message, µs. */
  readonly publisherCpuMicros: readonly number[];
}

/** What the publishers sent in one step of the schedule. */
export interface StepReport {
  readonly step: LoadStep;
  /** performance.now() when the step began, in the benchmark's process. */
  readonly startedAt: number;
  /**
   * Messages published by all publishers together in the step's time window (`t0` in it; the last
   * step: or after it).
   */
  readonly published: number;
  /** Messages published by each publisher. */
  readonly perPublisher: readonly number[];
  /** Largest delay of a message behind its due time, ms, over the publishers (0 flat out). */
  readonly maxLagMs: number;
}

/** Publisher processes connected to the broker, waiting for the start. */
export interface ConnectedLoad {
  /**
   * Starts every publisher's schedule at once, shortly after the call; resolves when all have
   * written their last message. `scheduled` is told when the schedule starts (`performance.now()`).
   */
  run(scheduled?: (startedAt: number) => void): Promise<LoadReport>;
}

/**
 * Starts `publishers` publisher processes (`publisher.ts`), each on its own connection with its
 * share of the assets and of the rate; resolves once every one is connected.
 */
export async function connectLoad(
  brokerUrl: string,
  steps: readonly LoadStep[],
  options: { readonly publishers: number; readonly assets: number },
): Promise<ConnectedLoad> {
  const { publishers, assets } = options;
  const share = formatSteps(shareOf(steps, publishers));
  const children = Array.from({ length: publishers }, (_, index) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(__dirname, 'publisher.ts'),
        brokerUrl,
        share,
        String(index),
        String(publishers),
        String(assets),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const exited = new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`publisher ${index} exited with ${code}`));
      });
    });
    /** The publisher's next line; when it closed its output instead, why it exited. */
    const nextLine = async () => {
      const line = await lines.next();
      if (line.done !== true) return line.value;
      await exited;
      throw new Error(`publisher ${index} ended without a report`);
    };
    // Awaited through nextLine or run; this keeps an exit while nothing awaits it from going unhandled.
    exited.catch(() => undefined);
    return { child, exited, nextLine };
  });
  for (const { nextLine } of children) {
    const line = await nextLine();
    if (line !== 'ready') throw new Error(`publisher said "${line}" instead of ready`);
  }
  return {
    run: async (scheduled) => {
      const startedAt = performance.now() + START_DELAY_MS;
      for (const { child } of children) child.stdin.end(`${performance.timeOrigin + startedAt}\n`);
      scheduled?.(startedAt);
      const reports = await Promise.all(
        children.map(async ({ nextLine, exited }) => {
          const report = JSON.parse(await nextLine()) as PublisherReport;
          await exited;
          return report;
        }),
      );
      let begin = startedAt;
      const stepReports = steps.map((step, i) => {
        const perPublisher = reports.map((report) => report.steps[i]!.published);
        const stepReport: StepReport = {
          step,
          startedAt: begin,
          published: perPublisher.reduce((sum, count) => sum + count, 0),
          perPublisher,
          maxLagMs: Math.max(...reports.map((report) => report.steps[i]!.maxLagMs)),
        };
        begin += step.seconds * 1000;
        return stepReport;
      });
      return {
        steps: stepReports,
        published: stepReports.reduce((sum, step) => sum + step.published, 0),
        publisherCpuMicros: reports.map((report) => report.cpuMicros),
      };
    },
  };
}
