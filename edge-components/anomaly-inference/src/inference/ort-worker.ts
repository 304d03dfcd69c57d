/**
 * The ONNX Runtime worker thread. onnxruntime-node 1.30 loads models and runs sessions
 * synchronously on the calling thread (its `run` only defers to `setImmediate`), which measured
 * 8-12 ms event-loop stalls per 256-window batch; here they stall this thread instead of the
 * MQTT event loop. Requests are served one at a time, in order.
 */
import { parentPort } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { SESSION_OPTIONS } from './session-options';
import type { OrtRequest, OrtResponse, WireMetadata, WireTensor } from './ort-protocol';

const sessions = new Map<number, InferenceSession>();
const port = parentPort;
if (port === null) throw new Error('ort-worker must run in a worker thread');

const reply = (response: OrtResponse, transfer: ArrayBuffer[] = []) => {
  port.postMessage(response, transfer);
};

const metadata = (list: readonly InferenceSession.ValueMetadata[]): WireMetadata[] =>
  list.map((m) =>
    m.isTensor
      ? { name: m.name, isTensor: true, type: m.type, shape: [...m.shape] }
      : { name: m.name, isTensor: false },
  );

async function serve(request: OrtRequest): Promise<void> {
  switch (request.kind) {
    case 'load': {
      const session = await InferenceSession.create(request.model, SESSION_OPTIONS);
      sessions.set(request.session, session);
      reply({
        kind: 'loaded',
        call: request.call,
        inputs: metadata(session.inputMetadata),
        outputs: metadata(session.outputMetadata),
      });
      return;
    }
    case 'run': {
      const session = sessions.get(request.session);
      if (session === undefined) throw new Error(`no session ${request.session}`);
      const feeds = Object.fromEntries(
        Object.entries(request.feeds).map(([name, t]) => [
          name,
          new Tensor('float32', t.data, [...t.dims]),
        ]),
      );
      const result =
        request.fetches === undefined
          ? await session.run(feeds)
          : await session.run(feeds, [...request.fetches]);
      const outputs: Record<string, WireTensor> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [name, tensor] of Object.entries(result)) {
        const data = tensor.data;
        if (!(data instanceof Float32Array))
          throw new Error(`output "${name}" is ${tensor.type}, not float32`);
        outputs[name] = { data, dims: [...tensor.dims] };
        transfer.push(data.buffer as ArrayBuffer);
      }
      reply({ kind: 'ran', call: request.call, outputs }, transfer);
      return;
    }
    case 'release': {
      await sessions.get(request.session)?.release();
      sessions.delete(request.session);
      reply({ kind: 'released', call: request.call });
      return;
    }
  }
}

let queue = Promise.resolve();
port.on('message', (request: OrtRequest) => {
  queue = queue.then(() =>
    serve(request).catch((error: unknown) => {
      reply({ kind: 'failed', call: request.call, message: (error as Error).message });
    }),
  );
});
