/**
 * The main thread's side of the ONNX Runtime workers: each model gets a worker thread of its own
 * ({@link openWorkerSession}), which loads it, runs it one call at a time and ends with it. So
 * loading and smoke-testing a new bundle (tens of milliseconds of session creation) never queues
 * the serving model's batches, a shadow model runs beside the serving one instead of after it,
 * and releasing a model returns all of its memory with the thread.
 */
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '@uns-mlops/uns-validator/src/pool/spawn-worker';
import type { OrtRequest, OrtResponse, WireMetadata, WireTensor } from './ort-protocol';

type Pending = { resolve: (response: OrtResponse) => void; reject: (error: Error) => void };

/** A model loaded in the worker. */
export interface WorkerSession {
  readonly inputs: readonly WireMetadata[];
  readonly outputs: readonly WireMetadata[];
  /** Runs the model; the feeds' buffers are transferred (unusable afterwards). */
  run(
    feeds: Record<string, WireTensor>,
    fetches?: readonly string[],
  ): Promise<Record<string, WireTensor>>;
  /** Releases the session and ends its worker thread. */
  release(): Promise<void>;
}

/**
 * Starts a worker thread and loads `model` (the ONNX bytes are copied to it) into its session.
 * A model that cannot be loaded rejects, and its thread is ended.
 */
export async function openWorkerSession(model: Uint8Array): Promise<WorkerSession> {
  const thread = new OrtThread();
  try {
    return await thread.load(model);
  } catch (error) {
    await thread.close();
    throw error;
  }
}

/** One worker thread and its pending calls. */
class OrtThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private calls = 0;
  private sessions = 0;
  private failure: Error | undefined;

  constructor() {
    const entry = __filename.endsWith('.ts')
      ? join(__dirname, 'ort-worker.ts')
      : join(__dirname, 'ort-worker.js');
    this.worker = spawnWorker(entry, undefined);
    this.worker.on('message', (response: OrtResponse) => {
      const pending = this.pending.get(response.call);
      this.pending.delete(response.call);
      if (response.kind === 'failed') pending?.reject(new Error(response.message));
      else pending?.resolve(response);
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      fail(new Error(`the ONNX Runtime worker exited (code ${code})`));
    });
  }

  async load(model: Uint8Array): Promise<WorkerSession> {
    const session = ++this.sessions;
    const loaded = await this.call({ kind: 'load', call: 0, session, model });
    if (loaded.kind !== 'loaded') throw new Error(`unexpected answer ${loaded.kind}`);
    return {
      inputs: loaded.inputs,
      outputs: loaded.outputs,
      run: async (feeds, fetches) => {
        const transfer = Object.values(feeds).map((t) => t.data.buffer as ArrayBuffer);
        const ran = await this.call({ kind: 'run', call: 0, session, feeds, fetches }, transfer);
        if (ran.kind !== 'ran') throw new Error(`unexpected answer ${ran.kind}`);
        return ran.outputs;
      },
      release: async () => {
        await this.call({ kind: 'release', call: 0, session }).finally(() => this.close());
      },
    };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private call(request: OrtRequest, transfer: ArrayBuffer[] = []): Promise<OrtResponse> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const call = ++this.calls;
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker.postMessage({ ...request, call }, transfer);
    });
  }
}
