// The live incident page. Everything works without this file, which only skips the
// self-refresh of the status and the timelines while the browser tab is hidden.
(function () {
  "use strict";
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (!elt || !document.hidden) return;
    if (elt.id === "incident-summary" || elt.id === "incident-body") event.preventDefault();
  });
})();
