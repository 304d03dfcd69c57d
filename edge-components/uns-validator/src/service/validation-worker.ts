/**
 * A validation worker thread: compiles the contracts once, then judges the messages the dispatcher
 * sends it, in order. Sparkplug B session state lives here, in the worker's judge; the dispatcher
 * routes every message of an edge node to the same worker, and moves the sessions when it changes
 * the number of workers.
 */
import { workerData } from 'node:worker_threads';
import { reclaimMemoryWhenQuiet } from '@uns-mlops/edge-common';
import { compileContracts } from '../contract/compile-contracts';
import { ValidationJudge, type ValidationResult } from '../dispatch/validation-judge';
import { serveTasks } from '../pool';
import type { ValidationTask, ValidationWorkerData } from './validation-task';

const { limits, contracts } = workerData as ValidationWorkerData;
const judge = new ValidationJudge(compileContracts(contracts), limits);
reclaimMemoryWhenQuiet(() => judge.judged);

serveTasks<ValidationTask, ValidationResult>((task) => judge.run(task));
