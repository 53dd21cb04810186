import { useState, type FormEvent } from "react";
import { api, toCommandError, type CommandError, type Pixel, type PixelTask } from "../../api";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ErrorNote } from "../../components/ErrorNote";
import { PIXEL_TASKS, TASK_HINTS } from "./words";

/**
 * Shares the pixel with a partner business, once the backend's account of what would change is
 * confirmed, or with an ad account, which gives no business any task. `onTried` follows every
 * share Meta was asked for: the pixel's log has a new entry, whether Meta shared or refused.
 */
export function ShareForm({ pixel, onTried }: { pixel: Pixel; onTried: () => void }) {
  const [business, setBusiness] = useState("");
  const [tasks, setTasks] = useState<PixelTask[]>([]);
  const [account, setAccount] = useState("");
  const [accountBusiness, setAccountBusiness] = useState("");
  // What sharing would change, in the backend's words, asked before anything changes.
  const [asked, setAsked] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<CommandError | null>(null);

  const toggle = (task: PixelTask, on: boolean) => setTasks((now) => PIXEL_TASKS.filter((t) => (t === task ? on : now.includes(t))));

  const askShare = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setStatus("");
    setBusy(true);
    try {
      await api.pixels.share(pixel.id, business, tasks, false);
    } catch (err) {
      const refused = toCommandError(err);
      if (refused.code === "confirmation_required") setAsked(refused.message);
      else setError(refused);
    } finally {
      setBusy(false);
    }
  };

  const share = async () => {
    setBusy(true);
    try {
      const change = await api.pixels.share(pixel.id, business, tasks, true);
      setStatus(`Shared ${pixel.name} with ${change.target.replace("_", " ")}: it may ${change.tasks.join(", ")}.`);
      setBusiness("");
      setTasks([]);
    } catch (err) {
      setError(toCommandError(err));
    } finally {
      setBusy(false);
      setAsked(null);
      onTried();
    }
  };

  const shareAccount = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setStatus("");
    setBusy(true);
    try {
      const change = await api.pixels.shareAccount(pixel.id, account, accountBusiness);
      setStatus(`Shared ${pixel.name} with ${change.target.replace("_", " ")}.`);
      setAccount("");
      setAccountBusiness("");
    } catch (err) {
      setError(toCommandError(err));
    } finally {
      setBusy(false);
      onTried();
    }
  };

  return (
    <section aria-labelledby="pixel-share-title" data-testid="pixel-share">
      <h3 id="pixel-share-title">Share</h3>
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      <form className="request-form" aria-label={`Share ${pixel.name} with a partner business`} onSubmit={askShare}>
        <label>
          Partner business id
          <input
            value={business}
            onChange={(e) => setBusiness(e.target.value)}
            inputMode="numeric"
            placeholder="e.g. 700100200"
            data-testid="pixel-share-business"
          />
        </label>
        <fieldset aria-describedby="pixel-task-hints">
          <legend>Tasks it may do</legend>
          {PIXEL_TASKS.map((t) => (
            <label key={t} className="choice">
              <input type="checkbox" checked={tasks.includes(t)} onChange={(e) => toggle(t, e.target.checked)} data-testid={`pixel-share-tasks-${t}`} />
              {t}
            </label>
          ))}
          <small id="pixel-task-hints" className="hint block">
            {PIXEL_TASKS.map((t) => `${t}: ${TASK_HINTS[t]}`).join(" · ")}
          </small>
        </fieldset>
        <div className="toolbar">
          <button type="submit" className="primary" disabled={busy || !business.trim() || tasks.length === 0} data-testid="pixel-share-submit">
            Share…
          </button>
        </div>
      </form>
      <form className="request-form" aria-label={`Share ${pixel.name} with an ad account`} onSubmit={shareAccount}>
        <h4>Share with an ad account</h4>
        <label>
          Ad account
          <input value={account} onChange={(e) => setAccount(e.target.value)} placeholder="act_123456789" data-testid="pixel-share-account" />
        </label>
        <label>
          Business asking for it
          <input
            value={accountBusiness}
            onChange={(e) => setAccountBusiness(e.target.value)}
            inputMode="numeric"
            placeholder="e.g. 500100200"
            data-testid="pixel-share-account-business"
          />
        </label>
        <div className="toolbar">
          <button
            type="submit"
            disabled={busy || !account.trim() || !accountBusiness.trim()}
            data-testid="pixel-share-account-submit"
          >
            Share with the ad account
          </button>
        </div>
      </form>
      {asked !== null && (
        <ConfirmDialog
          title={`Share ${pixel.name}?`}
          confirmLabel="Share"
          busy={busy}
          onConfirm={() => void share()}
          onCancel={() => setAsked(null)}
        >
          <p data-testid="pixel-share-consequences">{asked}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
