// The requester's live progress (templates/fieldwork/partials/worklog_progress.html). No inline
// handlers (CSP). htmx re-reads the list every 15 s; this file skips that while the tab is
// hidden and reads it at once when the tab comes back, like the queue's self-refresh.
(function () {
  "use strict";
  const ID = "work-progress-refresh";
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (elt && elt.id === ID && document.hidden) event.preventDefault();
  });
  document.addEventListener("visibilitychange", function () {
    const elt = document.getElementById(ID);
    if (!document.hidden && elt && window.htmx) window.htmx.trigger(elt, "refresh");
  });
})();
