// The queue's "Link to MI-… (ongoing)" (templates/incidents/partials/_queue_link.html): the
// ticked boxes belong to the bulk form, which posts to the tickets app, so this posts them
// (with the form's CSRF token and the queue's current filters to come back to) to the
// incidents app's address on the button. No inline handlers (CSP-friendly).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-incident-link]");
    if (!button) return;
    const bulk = document.getElementById("bulk-form");
    const token = bulk && bulk.querySelector("input[name=csrfmiddlewaretoken]");
    if (!token) return;
    const form = document.createElement("form");
    form.method = "post";
    form.action = button.dataset.incidentLink;
    form.hidden = true;
    function add(name, value) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    add("csrfmiddlewaretoken", token.value);
    add("incident", button.dataset.incident);
    add("next", window.location.search.replace(/^\?/, ""));
    document.querySelectorAll("input[name=tickets][form=bulk-form]:checked").forEach(function (box) {
      add("tickets", box.value);
    });
    document.body.appendChild(form);
    form.submit();
  });
})();
