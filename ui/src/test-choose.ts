import { waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

/**
 * Chooses a select's option once it is there. A select often shows before its options come in
 * (the clients, the CRM's fields), and choosing too early fails only on a slow machine.
 */
export async function choose(select: HTMLElement, option: string): Promise<void> {
  await waitFor(() => {
    const options = [...select.querySelectorAll("option")];
    if (!options.some((o) => o.value === option || o.textContent === option)) {
      throw new Error(`The select has no option "${option}" yet.`);
    }
  });
  await userEvent.selectOptions(select, option);
}
