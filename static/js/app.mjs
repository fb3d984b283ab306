// Start GOV.UK Frontend's components. Pages work without this; it only adds behaviour.
import { initAll } from "../vendor/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Start the components inside content that htmx brings in (only that content: components
// already started elsewhere on the page must not be started twice).
document.body.addEventListener("htmx:load", (event) => {
  if (event.detail.elt !== document.body) {
    initAll({ scope: event.detail.elt });
  }
});
