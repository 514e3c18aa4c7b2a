// Search as you type: suggestions under a search box, from /api/v1/search/suggest?q=.
// An accessible combobox (ARIA 1.2 pattern); without JavaScript the box is a plain GET form.
(function () {
  "use strict";
  var DELAY_MS = 150;
  var MIN_CHARS = 2;

  function attach(input) {
    var url = input.getAttribute("data-suggest-url") || "/api/v1/search/suggest";
    var list = document.createElement("ul");
    var listId = (input.id || "q") + "-suggestions";
    var timer = null;
    var controller = null;
    var items = [];
    var active = -1;
    var nb = document.documentElement.lang === "nb";
    var labels = { shows: nb ? "podkast" : "show", episodes: "episode" };

    list.id = listId;
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-suggest-label") || "Suggestions");
    list.hidden = true;
    var host = input.parentNode;
    if (getComputedStyle(host).position === "static") { host.style.position = "relative"; }
    host.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function select(index) {
      var nodes = list.children;
      for (var i = 0; i < nodes.length; i++) { nodes[i].setAttribute("aria-selected", i === index ? "true" : "false"); }
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", nodes[index].id);
        nodes[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(data) {
      items = data.items || [];
      list.textContent = "";
      if (!items.length) { close(); return; }
      items.forEach(function (item, index) {
        var li = document.createElement("li");
        li.id = listId + "-" + index;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var title = document.createElement("span");
        // title_html is escaped by the server, with <mark> around matches only.
        title.innerHTML = item.title_html;
        var kind = document.createElement("span");
        kind.className = "suggest__kind";
        kind.textContent = labels[item.kind] || item.kind;
        li.appendChild(title);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); window.location.href = item.url; });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function fetchSuggestions() {
      var q = input.value;
      if (q.trim().length < MIN_CHARS) { close(); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(q) + "&limit=8", { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (data) { if (input.value === q) { render(data); } })
        .catch(function () { /* aborted or offline: the form still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); select(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); select(Math.max(active - 1, -1)); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); window.location.href = items[active].url; }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function init() {
    var inputs = document.querySelectorAll('input[type="search"][name="q"]');
    for (var i = 0; i < inputs.length; i++) {
      if (!inputs[i].hasAttribute("data-suggest-bound")) {
        inputs[i].setAttribute("data-suggest-bound", "");
        attach(inputs[i]);
      }
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
