/** Messages between the main thread and the ONNX Runtime worker thread (see ort-worker.ts). */

/** A tensor crossing the thread boundary (float32 data, transferred, not copied). */
export interface WireTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** An input or output of a loaded model. */
export interface WireMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

export type OrtRequest =
  | {
      readonly kind: 'load';
      readonly call: number;
      readonly session: number;
      readonly model: Uint8Array;
    }
  | {
      readonly kind: 'run';
      readonly call: number;
      readonly session: number;
      readonly feeds: Readonly<Record<string, WireTensor>>;
      /** Outputs to return; all when absent. */
      readonly fetches?: readonly string[];
    }
  | { readonly kind: 'release'; readonly call: number; readonly session: number };

export type OrtResponse =
  | {
      readonly kind: 'loaded';
      readonly call: number;
      readonly inputs: readonly WireMetadata[];
      readonly outputs: readonly WireMetadata[];
    }
  | {
      readonly kind: 'ran';
      readonly call: number;
      readonly outputs: Readonly<Record<string, WireTensor>>;
    }
  | { readonly kind: 'released'; readonly call: number }
  | { readonly kind: 'failed'; readonly call: number; readonly message: string };
