// Queue keyboard shortcuts: j/k move, a accepts, Enter opens. No inline handlers (CSP-friendly).
(function () {
  "use strict";
  let index = -1;
  function rows() { return Array.from(document.querySelectorAll("#queue tbody tr")); }
  function select(next) {
    const all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, next));
    all.forEach(function (row, i) { row.classList.toggle("table-active", i === index); });
    all[index].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "select", "textarea"].includes(tag) || event.metaKey || event.ctrlKey || event.altKey) return;
    const all = rows();
    if (event.key === "j") select(index + 1);
    else if (event.key === "k") select(index - 1);
    else if (event.key === "Enter" && all[index]) window.location = all[index].dataset.href;
    else if (event.key === "a" && all[index]) {
      const button = all[index].querySelector("[data-accept]");
      if (button) button.click();
    }
  });
  document.body.addEventListener("htmx:afterSwap", function () { if (index >= 0) select(index); });
})();
// The queue refreshes itself every 30 s (hx-trigger); skip the request while the tab is hidden.
document.body.addEventListener("htmx:beforeRequest", function (event) {
  if (document.hidden && event.detail.elt && event.detail.elt.id === "queue-refresh") event.preventDefault();
});
