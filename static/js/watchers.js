// Follower name field: as the person types, ask the server for up to 20 matching people and
// offer them in the field's <datalist> (value = username, label = name and department).
(function () {
  "use strict";
  const input = document.getElementById("watcher_user");
  const list = document.getElementById("watcher-options");
  if (!input || !list || !input.dataset.suggestUrl) return;
  let timer = null;
  let asked = "";

  function fill(results) {
    list.replaceChildren.apply(list, results.map(function (person) {
      const option = document.createElement("option");
      option.value = person.username;
      option.textContent = person.department ? person.name + " · " + person.department : person.name;
      return option;
    }));
  }

  function ask() {
    const query = input.value.trim();
    if (!query || query === asked) return;
    asked = query;
    const url = input.dataset.suggestUrl + "?q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (asked === query) fill(data.results || []); })
      .catch(function () { /* suggestions are a convenience; typing a username still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 250);
  });
})();
