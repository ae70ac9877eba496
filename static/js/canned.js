// Canned-reply picker on the ticket page: fetch the reply filled in for this ticket and put it
// into the message box at the cursor. No inline handlers (CSP); keyboard: Tab to the list,
// arrows to choose, Tab to "Insert", Enter.
(function () {
  "use strict";
  const picker = document.getElementById("canned-picker");
  if (!picker) return;
  const select = document.getElementById("canned-select");
  const button = document.getElementById("canned-insert");
  const status = document.getElementById("canned-status");
  const target = document.getElementById(picker.dataset.target);
  if (!select || !button || !target) return;

  function say(key) { status.textContent = status.dataset[key] || ""; }

  function insert(text) {
    const start = target.selectionStart || 0;
    const end = target.selectionEnd || 0;
    const before = target.value.slice(0, start);
    const glue = before && !before.endsWith("\n") ? "\n" : "";
    target.setRangeText(glue + text, start, end, "end");
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.focus();
  }

  button.addEventListener("click", function () {
    const option = select.selectedOptions[0];
    if (!option || !option.dataset.url) { say("choose"); select.focus(); return; }
    button.disabled = true;
    fetch(option.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) { insert(data.text); say("inserted"); })
      .catch(function () { say("failed"); })
      .finally(function () { button.disabled = false; });
  });
})();
