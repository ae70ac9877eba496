// The drill's countdown (templates/training/drill.html). No inline handlers (CSP): the
// deadline and the words come from the element's data attributes; the deadline is also
// written out beside it for readers without JavaScript.
(function () {
  "use strict";
  const el = document.getElementById("drill-countdown");
  if (!el) return;
  const deadline = Date.parse(el.dataset.deadline);
  if (Number.isNaN(deadline)) return;
  const pad = (n) => String(n).padStart(2, "0");
  function tick() {
    const left = Math.floor((deadline - Date.now()) / 1000);
    if (left <= 0) {
      el.textContent = el.dataset.over;
      el.classList.add("text-danger");
      return;
    }
    const h = Math.floor(left / 3600);
    const m = Math.floor((left % 3600) / 60);
    const s = left % 60;
    const time = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    el.textContent = el.dataset.left.replace("{time}", time);
    if (left <= 300) el.classList.add("text-warning");
    window.setTimeout(tick, 1000);
  }
  tick();
})();
