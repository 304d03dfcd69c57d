import type { ReactNode } from 'react';
import type { Polled } from '../usePolling';

/**
 * Renders a polled request: a loading note until the first answer, an error alert (above the
 * last good data, if any), else `children` with the data.
 */
export function Loaded<T>({
  polled,
  what,
  children,
}: {
  polled: Polled<T>;
  /** What is loading, e.g. "compliance overview". */
  what: string;
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      {polled.error !== undefined && (
        <p role="alert" className="error">
          Could not load the {what}: {polled.error}
          {polled.data !== undefined && ' (showing the last data received)'}
        </p>
      )}
      {polled.loading && (
        <p role="status" className="loading">
          Loading the {what}…
        </p>
      )}
      {polled.data !== undefined && children(polled.data)}
    </>
  );
}

/** The note shown where a list or chart has nothing to show. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
