// Log a call: the caller picker (templates/tickets/partials/_caller_picker.html). The search box
// asks the server for matching people as the engineer types (htmx, hx-get on #caller-q); this
// script does the choosing in the page: a click, or the keyboard (↓ from the box into the list,
// ↑/↓ through it, Enter on a person; Enter in the box takes the first match of what is typed).
// Choosing fills the hidden requester field, shows the caller with "Change", and offers their
// phone as the call-back number when that field is empty or still holds the last one offered.
// Without this script the same buttons post the form and the server does it
// (tickets/views/callers.py). No inline handlers (CSP).
(function () {
  "use strict";
  const picker = document.getElementById("caller-picker");
  if (!picker) return;
  const input = document.getElementById("caller-q");
  const results = document.getElementById("caller-results");
  const status = document.getElementById("caller-status");
  const search = document.getElementById("caller-search");
  const chosen = document.getElementById("caller-chosen");
  const summary = document.getElementById("caller-chosen-summary");
  const requester = document.getElementById("id_requester");
  const find = document.getElementById("caller-find");
  const change = document.getElementById("caller-change");
  const contact = document.getElementById("id_contact");
  let offered = "";

  // With the script these act in the page instead of posting the form.
  find.type = "button";
  change.type = "button";

  function options() {
    return Array.from(results.querySelectorAll(".caller-option"));
  }

  // The list on screen answers what is in the box now (not a query typed over since).
  function current() {
    const asked = results.querySelector(".caller-asked");
    return asked !== null && asked.value === input.value.trim().replace(/\s+/g, " ");
  }

  function ask() {
    window.htmx.trigger(input, "search");
  }

  function choose(option) {
    requester.value = option.value;
    const card = option.querySelector(".caller-summary").cloneNode(true);
    summary.replaceChildren(card);
    const phone = option.querySelector(".caller-phone");
    const number = phone ? phone.textContent.trim() : "";
    if (contact && (!contact.value.trim() || contact.value === offered)) {
      contact.value = number;
      offered = number;
    }
    search.hidden = true;
    chosen.hidden = false;
    status.textContent = chosen.dataset.said + " " + card.querySelector(".caller-name").textContent;
    (contact || change).focus();
  }

  function reopen() {
    requester.value = "";
    chosen.hidden = true;
    search.hidden = false;
    status.textContent = "";
    input.focus();
    input.select();
    if (input.value.trim() && !current()) ask();
  }

  results.addEventListener("click", function (event) {
    const option = event.target.closest(".caller-option");
    if (!option) return;
    event.preventDefault();
    choose(option);
  });

  results.addEventListener("keydown", function (event) {
    const list = options();
    const at = list.indexOf(document.activeElement);
    if (at === -1) return;
    if (event.key === "ArrowDown" && at < list.length - 1) list[at + 1].focus();
    else if (event.key === "ArrowUp") (at > 0 ? list[at - 1] : input).focus();
    else if (event.key === "Home") list[0].focus();
    else if (event.key === "End") list[list.length - 1].focus();
    else if (event.key === "Escape") input.focus();
    else return;
    event.preventDefault();
  });

  input.addEventListener("keydown", function (event) {
    const list = options();
    if (event.key === "ArrowDown" && list.length) {
      event.preventDefault();
      list[0].focus();
    } else if (event.key === "Enter") {
      // Never submits the form from here: chooses, or looks up what is typed now.
      event.preventDefault();
      if (list.length && current()) choose(list[0]);
      else ask();
    }
  });

  find.addEventListener("click", ask);
  change.addEventListener("click", reopen);

  // Say how many match (the list itself is not read out at every keystroke).
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== results) return;
    const count = results.querySelector(".caller-count");
    status.textContent = count ? count.textContent.trim() : "";
  });
})();
