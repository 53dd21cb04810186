import { afterEach } from "vitest";
import { cleanup, configure } from "@testing-library/react";

afterEach(() => cleanup());

// A loaded two-core machine can take more than the default second to render what a test waits for;
// waiting longer changes nothing on a fast one, where what is awaited comes at once.
configure({ asyncUtilTimeout: 5000 });

// jsdom lays nothing out, so it has no scrolling to do: keeping an element in view does nothing.
Element.prototype.scrollIntoView = function scrollIntoView() {};
