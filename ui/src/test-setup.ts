import { afterEach } from "vitest";
import { cleanup } from "@testing-library/react";

afterEach(() => cleanup());

// jsdom lays nothing out, so it has no scrolling to do: keeping an element in view does nothing.
Element.prototype.scrollIntoView = function scrollIntoView() {};
