/* Lytt episode lists: a play button and a progress mark on every listed episode.
 *
 * Each row has `.row-actions[data-episode-id]` (lytt.web.marks): a play link to the episode page (what works
 * without JavaScript) and, for a signed-in listener, the mark and a "mark as played" form the server filled
 * in. Here:
 * - the play link plays the row's episode in the persistent player (window.LyttPlayer, player.js), from the
 *   newer of this browser's and the account's mark, and shows whether it is playing;
 * - the mark is redrawn from this browser's own mark (positions.js) when that is newer, and drawn from it
 *   alone when signed out, with a button that marks the episode played or unplayed in this browser;
 * - signed in, "mark as played" goes to the server with fetch, and the row is redrawn from its answer.
 * Shares of an episode heard count as played from FINISHED_SHARE on, as on the server.
 */
(function () {
  "use strict";

  var FINISHED_SHARE = 0.95; // lytt.accounts.services.FINISHED_SHARE
  var positions = window.lyttPositions;
  var strings = document.getElementById("lytt-marks");
  var player = document.getElementById("lytt-player");
  if (!positions || !strings || !window.fetch) return;
  var text = strings.dataset;

  function signedIn() { return !!document.body.dataset.progressUrl; }

  function totalOf(box, mark) {
    var button = box.querySelector("[data-play-episode]");
    // The episode page's own row has no play button: its length is on the row itself.
    return (mark && Number(mark.dataset.total)) || (button && Number(button.dataset.duration)) || Number(box.dataset.duration) || 0;
  }

  function isDone(mark, total) {
    return !!mark && (mark.done || (total > 0 && mark.position >= FINISHED_SHARE * total));
  }

  /* The mark element for `mark` (as lytt.web.marks.mark_html draws it); null for an episode not started. */
  function build(mark, total) {
    var done = isDone(mark, total);
    var state = done ? "played" : mark.position > 0 ? "started" : "new";
    var span = document.createElement("span");
    span.className = "listen-mark listen-mark--" + state;
    span.dataset.knownPosition = String(Math.floor(mark.position));
    span.dataset.knownAt = new Date(mark.at).toISOString();
    span.dataset.knownFinished = done ? "true" : "false";
    if (total) span.dataset.total = String(total);
    if (state !== "new") {
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = done ? 100 : total ? Math.min(100, Math.round((100 * mark.position) / total)) : 0;
      bar.setAttribute("aria-hidden", "true");
      span.appendChild(bar);
    }
    var label = document.createElement("span");
    label.className = "listen-mark__text";
    if (done) {
      var icon = document.createElement("span");
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = "✓ ";
      label.appendChild(icon);
      label.appendChild(document.createTextNode(text.played));
    } else if (mark.position > 0) {
      label.textContent = total > mark.position
        ? text.left.replace("{n}", String(Math.max(1, Math.round((total - mark.position) / 60))))
        : text.resume.replace("{time}", positions.clock(mark.position));
    }
    span.appendChild(label);
    return span;
  }

  /* Draw one row's mark from the newer of the account's (as rendered) and this browser's. */
  function draw(box) {
    var shown = box.querySelector(".listen-mark");
    var account = shown ? positions.fromData(shown.dataset) : null;
    var local = positions.local(box.dataset.episodeId);
    var total = totalOf(box, shown);
    var mark = positions.newest(account, local);
    if (mark && mark !== account) {
      var fresh = build(mark, total);
      var anchor = box.querySelector(".played-form, .played-toggle");
      if (shown) shown.replaceWith(fresh);
      else box.insertBefore(fresh, anchor);
    }
    var done = isDone(mark, total);
    var form = box.querySelector(".played-form");
    if (form) {
      form.elements.played.value = done ? "0" : "1";
      form.querySelector("button").textContent = done ? text.markUnplayed : text.markPlayed;
    } else if (!signedIn()) {
      var toggle = box.querySelector(".played-toggle");
      if (!toggle) {
        toggle = document.createElement("button");
        toggle.type = "button";
        toggle.className = "link-button played-toggle";
        box.appendChild(toggle);
      }
      toggle.textContent = done ? text.markUnplayed : text.markPlayed;
      toggle.dataset.done = done ? "true" : "false";
    }
  }

  function drawButtons() {
    var playing = window.LyttPlayer ? window.LyttPlayer.playing() : null;
    var labels = player ? player.dataset : {};
    document.querySelectorAll("[data-play-episode]").forEach(function (button) {
      var on = playing === button.dataset.playEpisode;
      var label = button.querySelector(".play-button__label");
      if (label && !button.dataset.label) button.dataset.label = label.textContent;
      button.setAttribute("role", "button");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.querySelector(".play-button__icon").textContent = on ? "❚❚" : "▶";
      if (label) label.textContent = on ? labels.i18nPause || "Pause" : button.dataset.label;
    });
  }

  function drawAll(scope) {
    (scope || document).querySelectorAll(".row-actions[data-episode-id]").forEach(draw);
    drawButtons();
  }

  function boxOf(element) { return element.closest(".row-actions[data-episode-id]"); }

  // Play from a row (capture: before player.js follows the link to the episode page).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-play-episode]");
    if (!button || !window.LyttPlayer || !button.dataset.src) return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    event.stopPropagation();
    var shown = boxOf(button).querySelector(".listen-mark");
    var data = button.dataset;
    window.LyttPlayer.play({
      id: data.playEpisode,
      src: data.src,
      title: data.title,
      show: data.show || "",
      url: data.url,
      artwork: data.artwork || "",
      duration: Number(data.duration) || 0,
      known: shown ? positions.fromData(shown.dataset) : null,
    });
    drawButtons();
  }, true);
  document.addEventListener("keydown", function (event) {
    var button = event.target.closest && event.target.closest("[data-play-episode]");
    if (!button || (event.key !== " " && event.key !== "Spacebar")) return;
    event.preventDefault(); // a link that acts as a button answers Space too
    event.stopPropagation();
    button.click();
  }, true);

  // Mark played or unplayed: in this browser when signed out, on the account when signed in.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest(".played-toggle");
    if (!toggle) return;
    var box = boxOf(toggle);
    var total = totalOf(box, box.querySelector(".listen-mark"));
    var done = toggle.dataset.done === "true";
    positions.keep(box.dataset.episodeId, { position: done ? 0 : total, at: Date.now(), done: !done });
    draw(box);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("played-form") || event.defaultPrevented) return;
    event.preventDefault();
    var box = boxOf(form);
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: new FormData(form),
    })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (kept) {
        var mark = { position: kept.position, at: Date.parse(kept.at), done: kept.finished };
        positions.keep(box.dataset.episodeId, mark);
        document.querySelectorAll('.row-actions[data-episode-id="' + box.dataset.episodeId + '"]').forEach(draw);
      })
      .catch(function () { form.submit(); });
  });

  if (player) {
    var audio = player.querySelector("audio");
    ["play", "pause", "ended", "emptied"].forEach(function (name) {
      audio.addEventListener(name, function () { if (name === "play") drawButtons(); else drawAll(); });
    });
  }
  document.addEventListener("lytt:page", function (event) { drawAll(event.detail && event.detail.main); });
  document.addEventListener("lytt:rows", function (event) { drawAll(event.detail && event.detail.list); });
  drawAll(document);
})();
