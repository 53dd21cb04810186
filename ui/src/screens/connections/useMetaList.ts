import { useState } from "react";
import { toCommandError, type CommandError } from "../../api";

/**
 * The state a list read from Meta needs: a refresh that reports Meta's problems, and one save at a
 * time of a row, with the outcome said in words for screen readers.
 */
export function useMetaList<T>() {
  const [refreshing, setRefreshing] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [saving, setSaving] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");

  const refresh = async (read: () => Promise<{ items: T[]; problems: string[] }>, onItems: (items: T[]) => void, done: string) => {
    setRefreshing(true);
    setError(null);
    setStatus("");
    setProblems([]);
    try {
      const found = await read();
      onItems(found.items);
      setProblems(found.problems);
      setStatus(done);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setRefreshing(false);
    }
  };

  // A change while another is saved is let go (the control shows the saved value again) rather than
  // disabling the control, which would take the keyboard's focus away from it.
  const save = async <S,>(id: string, write: () => Promise<S>, onSaved: (saved: S) => void, said: (saved: S) => string) => {
    if (saving !== null) return;
    setSaving(id);
    setError(null);
    setStatus("");
    try {
      const saved = await write();
      onSaved(saved);
      setStatus(said(saved));
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setSaving(null);
    }
  };

  return { refreshing, problems, saving, error, status, refresh, save };
}
