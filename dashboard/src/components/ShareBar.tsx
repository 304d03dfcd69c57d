import { formatShare } from '../format';

/** A share as text with a bar behind it (the text is what assistive technology reads). */
export function ShareBar({ share }: { share: number | null }) {
  return (
    <span className="share">
      <span
        className="share-bar"
        style={{ width: `${String((share ?? 0) * 100)}%` }}
        aria-hidden="true"
      />
      <span className="share-text">{formatShare(share)}</span>
    </span>
  );
}
