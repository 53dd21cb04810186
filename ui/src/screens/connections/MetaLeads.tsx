import { useCallback, useEffect, useRef, useState } from "react";
import { api, toCommandError, type Client, type CommandError, type MetaForm, type MetaPage } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { LeadForms } from "./LeadForms";
import { Pages } from "./Pages";
import { SyncNow } from "./SyncNow";

/**
 * Where leads come from at Meta: the Pages the connections reach, their lead forms, and syncing
 * them. It holds the Pages and forms, since each part changes what another shows (a Page's client
 * is its forms' client; a sync moves their last-synced time).
 */
export function MetaLeads({
  clients,
  generation,
  onHealthChanged,
}: {
  clients: Client[];
  /** Changes when a connection comes or goes: a login reads its Pages; a disconnection takes them, and their forms, with it. */
  generation: number;
  /** A refresh may find a connection Meta no longer accepts, marked "log in again". */
  onHealthChanged: () => void;
}) {
  const [pages, setPages] = useState<MetaPage[] | null>(null);
  const [forms, setForms] = useState<MetaForm[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);

  // Each change to the forms counts here: a reading that comes back after a newer change (a
  // refresh from Meta, a form chosen for sync) would put older forms back, so it is dropped.
  const changes = useRef(0);
  const changeForms = useCallback((next: (all: MetaForm[] | null) => MetaForm[] | null) => {
    changes.current += 1;
    setForms(next);
  }, []);
  const reloadForms = useCallback(() => {
    changes.current += 1;
    const asked = changes.current;
    api.meta.forms(null).then(
      (read) => {
        if (changes.current === asked) setForms(read);
      },
      (e: unknown) => setError(toCommandError(e)),
    );
  }, []);

  useEffect(() => {
    api.meta.pages().then(setPages, (e: unknown) => setError(toCommandError(e)));
    reloadForms();
  }, [generation, reloadForms]);

  return (
    <>
      <ErrorNote error={error} />
      <Pages
        pages={pages}
        clients={clients}
        onRefreshed={(found) => {
          setPages(found);
          reloadForms();
          onHealthChanged();
        }}
        onAssigned={(page) => {
          setPages((all) => all && all.map((p) => (p.id === page.id ? page : p)));
          reloadForms();
        }}
      />
      <LeadForms
        forms={forms}
        hasPages={(pages?.length ?? 0) > 0}
        onRefreshed={(found) => changeForms(() => found)}
        onChanged={(form) => changeForms((all) => all && all.map((f) => (f.id === form.id ? form : f)))}
      />
      <SyncNow clients={clients} forms={forms} onSynced={reloadForms} />
    </>
  );
}
