// The queue page. No inline handlers (CSP-friendly); everything works without this file,
// which adds: keyboard shortcuts (j/k move, x ticks, a accepts, Enter opens), "select all
// on this page", the bulk bar shown only while tickets are ticked, and the self-refresh
// skipped while the browser tab is hidden or tickets are ticked (a refresh would untick them).
(function () {
  "use strict";
  let index = -1;
  function rows() { return Array.from(document.querySelectorAll("#queue tbody tr")); }
  function boxes() { return Array.from(document.querySelectorAll("#queue input[name=tickets]")); }
  function ticked() { return boxes().filter(function (box) { return box.checked; }); }

  function select(next) {
    const all = rows();
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, next));
    all.forEach(function (row, i) { row.classList.toggle("table-active", i === index); });
    all[index].scrollIntoView({ block: "nearest" });
  }

  // The bar, its count, and the page checkbox follow the ticked boxes.
  function sync() {
    const form = document.getElementById("bulk-form");
    const all = boxes();
    const n = ticked().length;
    const page = document.querySelector("[data-select-page]");
    if (page) {
      page.checked = all.length > 0 && n === all.length;
      page.indeterminate = n > 0 && n < all.length;
    }
    if (!form) return;
    const count = document.getElementById("bulk-count");
    if (count) count.textContent = count.dataset.template.replace("__N__", String(n));
    form.classList.toggle("d-none", n === 0 && !form.hasAttribute("data-bulk-errors"));
  }

  // At submit time: "save as a tab" keeps the filters the filter form holds now, and a bulk
  // action comes back to the URL shown now (htmx pushes the filters into it without
  // reloading the page, so the values rendered with the page may be stale).
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.id === "save-view-form") {
      const filters = document.getElementById("queue-filters");
      const query = form.querySelector("[data-current-query]");
      if (filters && query) query.value = new URLSearchParams(new FormData(filters)).toString();
    } else if (form.id === "bulk-form") {
      const back = form.querySelector("input[name=next]");
      if (back) back.value = window.location.search.replace(/^\?/, "");
    }
  });

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (target.matches && target.matches("[data-select-page]")) {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches && target.matches("[data-select-page], #queue input[name=tickets]")) sync();
  });

  document.addEventListener("keydown", function (event) {
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "select", "textarea", "button", "a"].includes(tag) || event.metaKey || event.ctrlKey || event.altKey) return;
    const all = rows();
    if (event.key === "j") select(index + 1);
    else if (event.key === "k") select(index - 1);
    else if (event.key === "Enter" && all[index]) window.location = all[index].dataset.href;
    else if (event.key === "x" && all[index]) {
      const box = all[index].querySelector("input[name=tickets]");
      if (box) { box.checked = !box.checked; sync(); }
    } else if (event.key === "a" && all[index]) {
      const button = all[index].querySelector("[data-accept]");
      if (button) button.click();
    }
  });

  document.body.addEventListener("htmx:afterSwap", function () { if (index >= 0) select(index); sync(); });
  // Self-refresh every 30 s (hx-trigger): skipped while the tab is hidden or tickets are ticked.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    if (elt && elt.id === "queue-refresh" && (document.hidden || ticked().length > 0)) event.preventDefault();
  });
  sync();
})();
