import { useEffect, useRef, useState } from 'react';

/** What a polled request has given so far. */
export interface Polled<T> {
  /** The latest answer; kept while a later refresh fails. */
  readonly data: T | undefined;
  /** Why the latest refresh failed, `undefined` when it succeeded. */
  readonly error: string | undefined;
  /** No answer and no failure yet. */
  readonly loading: boolean;
}

/**
 * Calls `load` now and `intervalMs` after each answer, until the component unmounts or `key`
 * changes (then it starts afresh, cancelling the request in flight).
 */
export function usePolling<T>(
  key: string,
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
): Polled<T> {
  const [state, setState] = useState<Polled<T> & { key: string }>({
    key,
    data: undefined,
    error: undefined,
    loading: true,
  });
  // `load` is recreated on each render; the key says when the request itself changes.
  const loader = useRef(load);
  useEffect(() => {
    loader.current = load;
  });

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const data = await loader.current(controller.signal);
        if (!controller.signal.aborted) setState({ key, data, error: undefined, loading: false });
      } catch (error) {
        if (controller.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        setState((previous) => ({
          key,
          data: previous.key === key ? previous.data : undefined,
          error: message,
          loading: false,
        }));
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [key, intervalMs]);

  return state.key === key ? state : { data: undefined, error: undefined, loading: true };
}
