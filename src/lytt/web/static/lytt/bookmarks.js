/* Lytt bookmarks on the episode page (signed in): keep the moment the player is at, with an optional note.
 *
 * The server renders a form that works without JavaScript (accounts/episode_bookmarks.html: a time field
 * holding the page's ?t= or where the listener stopped, a note, "Bookmark") and the listener's bookmarks in
 * this episode (times are `[data-seek]` links: player.js seeks on a click). Here:
 * - the time field gives way to the player's current time while the page's episode is the one playing, and
 *   the button says it ("Bookmark 12:34");
 * - keeping and deleting go to the same URLs with fetch (`Accept: application/json`), so playback goes on;
 *   the new item comes back as HTML from the server's template and goes in at its time; the result is
 *   announced in the section's status line. A failed request falls back to posting the form.
 */
(function () {
  "use strict";
  if (window.lyttBookmarks) return;
  if (!window.fetch) return;

  function clock(seconds) {
    var player = window.LyttPlayer;
    if (player) return player.clock(seconds);
    var s = Math.max(0, Math.floor(seconds)), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
  }

  /* Seconds the form would keep: the player's time in this page's episode, else the field's own value. */
  function moment(section) {
    var player = window.LyttPlayer, current = player && player.current();
    if (current && current.id === section.dataset.episode) return Math.floor(player.audio.currentTime || 0);
    var field = section.querySelector("[name=time]");
    return Number(field.dataset.seconds) || 0;
  }

  function say(section, message) {
    var status = section.querySelector(".bookmarks__status");
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50); // the same message twice is announced twice
  }

  function render(section) {
    if (!section.isConnected) return;
    var seconds = moment(section);
    var field = section.querySelector("[name=time]");
    field.value = clock(seconds);
    section.querySelector(".bookmark-form__add").textContent = section.dataset.i18nBookmark.replace("{time}", clock(seconds));
  }

  function insert(section, html) {
    var list = section.querySelector(".bookmark-list");
    var holder = document.createElement("ol");
    holder.innerHTML = html.trim();
    var item = holder.firstElementChild;
    var position = Number(item.dataset.position);
    var after = Array.prototype.find.call(list.children, function (li) { return Number(li.dataset.position) > position; });
    list.insertBefore(item, after || null);
    list.hidden = false;
    return item;
  }

  function send(form) {
    return fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: new FormData(form),
    });
  }

  function bind(scope) {
    var section = scope.querySelector(".bookmarks[data-episode]");
    if (!section || section.dataset.bound) return;
    section.dataset.bound = "1";
    var form = section.querySelector(".bookmark-form");
    section.querySelector(".bookmark-form__time").hidden = true;
    render(section);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var seconds = moment(section);
      form.elements.time.value = clock(seconds);
      var button = form.querySelector(".bookmark-form__add");
      button.disabled = true;
      send(form)
        .then(function (response) {
          if (response.status === 400) return response.json().then(function (body) { throw { shown: body.error }; });
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (kept) {
          insert(section, kept.html);
          form.elements.note.value = "";
          say(section, section.dataset.i18nKept.replace("{time}", clock(kept.position)));
        })
        .catch(function (error) {
          if (error && error.shown) { say(section, section.dataset.i18nFailed + " (" + error.shown + ")"); return; }
          form.submit();
        })
        .then(function () { button.disabled = false; });
    });

    section.addEventListener("submit", function (event) {
      var remove = event.target.closest && event.target.closest(".bookmark__delete");
      if (!remove) return;
      event.preventDefault();
      var item = remove.closest(".bookmark");
      send(remove)
        .then(function (response) {
          if (!response.ok && response.status !== 404) throw new Error(String(response.status));
          var next = item.nextElementSibling || item.previousElementSibling;
          var list = item.parentNode;
          item.remove();
          list.hidden = !list.children.length;
          say(section, section.dataset.i18nDeleted);
          // Focus stays in the list (or goes back to the form), not on the removed button.
          (next ? next.querySelector(".bookmark__delete button") : form.querySelector(".bookmark-form__add")).focus();
        })
        .catch(function () { remove.submit(); });
    });
  }

  var audio = document.getElementById("lytt-audio");
  var lastSecond = -1;
  function tick() {
    var second = Math.floor(audio.currentTime || 0);
    if (second === lastSecond) return;
    lastSecond = second;
    var section = document.querySelector(".bookmarks[data-bound]");
    if (section) render(section);
  }
  if (audio) ["timeupdate", "seeked", "loadedmetadata", "emptied"].forEach(function (name) { audio.addEventListener(name, tick); });
  document.addEventListener("lytt:episode", function () { lastSecond = -1; tick(); });

  window.lyttBookmarks = { bind: bind };
  document.addEventListener("lytt:page", function (event) { bind(event.detail && event.detail.main ? event.detail.main : document); });
  bind(document.querySelector("main") || document.body);
})();
