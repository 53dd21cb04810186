import type { LoggedIn } from "../../api";
import { counted } from "./counted";
import { Problems } from "./Problems";

/**
 * What a login connected. A token that is not long-lived lasts hours, not days, so when it expires
 * is said at once, with what gives the long-lived kind, rather than left for a failed sync to show.
 */
export function LoginResult({ done }: { done: LoggedIn }) {
  const { connection: c, long_lived, pages, problems } = done;
  return (
    <div data-testid="meta-login-result">
      <p className="ok" role="status" data-testid="meta-login-connected">
        Connected a {c.token_type} token{c.client ? ` for ${c.client}` : ""}: {counted(pages, "Page")} found.
      </p>
      {pages === 0 && (
        <p className="hint block" data-testid="meta-login-no-pages">
          Log in again and, when Facebook asks which Pages to share, choose the agency&apos;s Pages.
        </p>
      )}
      {!long_lived && (
        <div className="notice" role="status" data-testid="meta-login-short-lived">
          <p>
            <strong>This token is short-lived.</strong> It expires{" "}
            {c.expires_at === null ? (
              "within hours"
            ) : (
              <>
                at <time dateTime={c.expires_at}>{new Date(c.expires_at).toLocaleString()}</time>
              </>
            )}
            ; after that nothing syncs through it. Set the App secret above, then log in again, for a token that lasts 60 days.
          </p>
        </div>
      )}
      <Problems title="Some Pages could not be read:" problems={problems} testId="meta-login-problems" />
    </div>
  );
}
