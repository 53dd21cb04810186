import { useCallback, useState, type ReactNode } from "react";
import { toCommandError } from "../api";
import { ConfirmDialog } from "./ConfirmDialog";

type Asking = { path: string; answer: (replace: boolean) => void };

/**
 * Writing a file that may exist: `write(path, run)` calls `run(false)`; if the backend refuses with
 * `file_exists`, it asks the person whether to replace the file and, if they say so, calls
 * `run(true)`. It resolves to null when they keep the file. Render `dialog` where the question goes.
 */
export function useReplaceFile(): {
  write: <T>(path: string, run: (replace: boolean) => Promise<T>) => Promise<T | null>;
  dialog: ReactNode;
} {
  const [asking, setAsking] = useState<Asking | null>(null);

  const write = useCallback(async <T,>(path: string, run: (replace: boolean) => Promise<T>): Promise<T | null> => {
    try {
      return await run(false);
    } catch (e) {
      const err = toCommandError(e);
      if (err.code !== "file_exists") throw err;
      const replace = await new Promise<boolean>((answer) => setAsking({ path, answer }));
      setAsking(null);
      return replace ? run(true) : null;
    }
  }, []);

  const dialog = asking && (
    <ConfirmDialog
      title={`${asking.path} exists. Replace it?`}
      confirmLabel="Replace"
      onConfirm={() => asking.answer(true)}
      onCancel={() => asking.answer(false)}
    >
      <p>Replacing it deletes what the file holds now. Cancel keeps it, and nothing is written.</p>
    </ConfirmDialog>
  );

  return { write, dialog };
}
