/**
 * A validation worker thread: loads the contracts once, then judges the messages the dispatcher
 * sends it, in order. Sparkplug B session state lives here, one tracker per worker; the dispatcher
 * routes every message of an edge node to the same worker.
 */
import { workerData } from 'node:worker_threads';
import type { LoadedContracts } from '../contract/model';
import { loadContracts } from '../contract/load-contracts';
import { serveTasks } from '../pool';
import { SparkplugSessionTracker } from '../sparkplug';
import { validateMessage, type ValidateOptions } from '../validate/validate-message';
import type { Verdict } from '../verdict';
import type { ValidationTask, ValidationWorkerData } from './validation-task';

/** Edge nodes silent this long are forgotten (they must send a new NBIRTH). */
const EDGE_NODE_IDLE_MS = 24 * 60 * 60 * 1000;

const { contractPaths } = workerData as ValidationWorkerData;
let contracts: LoadedContracts | undefined;
const initialLoad = loadContracts(contractPaths);
const tracker = new SparkplugSessionTracker();
const options: ValidateOptions = {
  sparkplug: (topic, payload) => tracker.check(topic, payload, Date.now()).errors,
};
setInterval(() => tracker.evictIdle(Date.now() - EDGE_NODE_IDLE_MS), 60_000).unref();

serveTasks<ValidationTask, Verdict | null>((task) => {
  if (task.kind === 'reload') {
    // The main thread has already parsed these contracts; they replace the current ones once
    // loaded here, and the current ones keep judging meanwhile. Should loading fail after all, the
    // current contracts stay.
    loadContracts(task.contractPaths).then(
      (loaded) => (contracts = loaded),
      () => undefined,
    );
    return null;
  }
  if (contracts !== undefined) return validateMessage(contracts, task.topic, task.payload, options);
  return initialLoad.then((loaded) => {
    contracts ??= loaded;
    return validateMessage(contracts, task.topic, task.payload, options);
  });
});
