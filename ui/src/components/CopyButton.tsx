import { useState } from "react";

/**
 * Copies `text` to the clipboard. Where the clipboard cannot be written (no permission, a webview
 * without it), it says so, and the text stays on screen to be selected by hand.
 */
export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  // Said of the text it was said of: once the text changes, it no longer holds.
  const [said, setSaid] = useState({ of: "", words: "" });

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(text);
      setSaid({ of: text, words: "Copied." });
    } catch {
      setSaid({ of: text, words: "Could not copy: select it and copy it by hand." });
    }
  };

  return (
    <>
      <button type="button" onClick={() => void copy()} aria-label={label} data-testid={testId}>
        Copy
      </button>
      <span className="hint" role="status" aria-live="polite">
        {said.of === text ? said.words : ""}
      </span>
    </>
  );
}
