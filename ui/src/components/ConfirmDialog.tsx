import { useEffect, useRef, type ReactNode } from "react";
import { useEscape } from "./useEscape";

type Props = {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  /** False while the body still asks something that must be answered before confirming. */
  ready?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
};

/** A modal question. Cancel has the focus, so Enter never destroys by accident; Escape cancels. */
export function ConfirmDialog({ title, children, confirmLabel, busy, ready = true, onConfirm, onCancel }: Props) {
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => cancelRef.current?.focus(), []);
  useEscape(onCancel);

  return (
    <div className="backdrop">
      <div className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="dialog-title">
        <h2 id="dialog-title">{title}</h2>
        <div className="dialog-body">{children}</div>
        <div className="dialog-actions">
          <button type="button" ref={cancelRef} onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={onConfirm} disabled={busy || !ready} data-testid="confirm">
            {busy ? "Working…" : confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
