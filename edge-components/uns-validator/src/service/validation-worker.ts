/**
 * A validation worker thread: compiles the contracts once, then judges the messages the dispatcher
 * sends it, in order. Sparkplug B session state lives here, one tracker per worker; the dispatcher
 * routes every message of an edge node to the same worker.
 */
import { workerData } from 'node:worker_threads';
import { reclaimMemoryWhenQuiet } from '@uns-mlops/edge-common';
import { compileContracts } from '../contract/compile-contracts';
import { serveTasks } from '../pool';
import { SparkplugSessionTracker } from '../sparkplug';
import {
  judgeWithheldPayload,
  validateMessage,
  type ValidateOptions,
} from '../validate/validate-message';
import type { Verdict } from '../verdict';
import type { ValidationTask, ValidationWorkerData } from './validation-task';

/** Edge nodes silent this long are forgotten (they must send a new NBIRTH). */
const EDGE_NODE_IDLE_MS = 24 * 60 * 60 * 1000;

const { limits, contracts: described } = workerData as ValidationWorkerData;
let contracts = compileContracts(described);
const tracker = new SparkplugSessionTracker();
const options: ValidateOptions = {
  sparkplug: (topic, payload) => tracker.check(topic, payload, Date.now()).errors,
  limits,
};
setInterval(() => tracker.evictIdle(Date.now() - EDGE_NODE_IDLE_MS), 60_000).unref();
let judged = 0;
reclaimMemoryWhenQuiet(() => judged);

serveTasks<ValidationTask, Verdict | null>((task) => {
  switch (task.kind) {
    case 'message':
      judged++;
      return validateMessage(contracts, task.topic, task.payload, options);
    case 'withheld':
      return judgeWithheldPayload(contracts, task.topic, task.byteLength, limits);
    case 'reload':
      contracts = compileContracts(task.contracts);
      return null;
    case 'ping':
      return null;
  }
});
