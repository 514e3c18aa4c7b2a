/* Lytt player: progressive enhancement over plain <audio controls> elements.
 *
 * - One persistent player (#lytt-player) lives outside <main>; same-origin links and GET forms swap <main>
 *   via fetch + history.pushState, so audio keeps playing while the listener browses.
 * - Resume: positions.js keeps each episode's mark (position and time) in localStorage and reports it to the
 *   account when signed in: on pause, on seek, when the page is hidden or closed (a beacon), and every
 *   PROGRESS_EVERY_MS while playing. An episode starts from the newer of the browser's and the account's mark.
 * - Keyboard: space/k play-pause, j/ArrowLeft back 15 s, l/ArrowRight forward 30 s (more: player-extras.js).
 *   Media Session for lock screens. Timestamp links (?t=1h2m3s, #t=..., chapter and show-note timestamps) seek.
 * - A play is reported once per episode per page load after PLAY_REPORT_SECONDS of listening.
 * Without JavaScript none of this runs and each episode page keeps its own <audio controls>.
 */
(function () {
  "use strict";

  var BACK_SECONDS = 15;
  var FORWARD_SECONDS = 30;
  var PLAY_REPORT_SECONDS = 10;
  var PROGRESS_EVERY_MS = 15000;
  var SAVE_EVERY_MS = 1000;
  var NEAR_END_SECONDS = 5;
  var KEY_CURRENT = "lytt:current";
  var KEY_SPEED = "lytt:speed";

  var root = document.getElementById("lytt-player");
  var positions = window.lyttPositions;
  if (!root || !positions || !window.fetch || !window.history || !history.pushState) return;
  var audio = root.querySelector("audio");
  var ui = {
    art: root.querySelector(".player__art"),
    title: root.querySelector(".player__title"),
    show: root.querySelector(".player__show"),
    toggle: root.querySelector(".player__toggle"),
    back: root.querySelector(".player__back"),
    fwd: root.querySelector(".player__fwd"),
    seek: root.querySelector(".player__seek"),
    time: root.querySelector(".player__time"),
    duration: root.querySelector(".player__duration"),
    speed: root.querySelector(".player__speed"),
  };
  var labels = { play: root.dataset.i18nPlay || "Play", pause: root.dataset.i18nPause || "Pause" };

  var current = null; // {id, src, title, show, url, artwork, duration, known (the account's mark or null)}
  var pendingSeek = null;
  var mark = null; // where the listener was in `current` and when, once they play or seek in it
  var deliberate = false; // the next report moves the listener on purpose (a seek, a replay)
  var lastSent = null;
  var listened = 0; // seconds listened to the current episode since this page load
  var reported = {}; // episode ids already reported on this page load
  var lastTick = null;
  var lastSave = 0;
  var lastProgress = 0;
  var sessionStart = 0;
  var seeking = false;

  // ---- storage -----------------------------------------------------------------------------------------
  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* private mode or full: resume simply will not work */ }
  }
  function load(key) {
    try {
      var raw = localStorage.getItem(key);
      return raw === null ? null : JSON.parse(raw);
    } catch (e) { return null; }
  }

  // ---- positions: noted when the listener plays or seeks, kept locally, reported to the account --------
  /* Where playing `episode` starts: the newer of this browser's and the account's mark; from the start
   * after a finished listen, which is a replay (deliberate). */
  function startOf(episode) {
    var known = positions.newest(positions.local(episode.id), episode.known || null);
    if (!known) return { position: 0, deliberate: false };
    if (known.done) return { position: 0, deliberate: true };
    return { position: known.position, deliberate: false };
  }
  function note(position) {
    var done = audio.ended || (isFinite(audio.duration) && audio.duration - position < NEAR_END_SECONDS);
    mark = { position: position, at: Date.now(), done: !!done };
  }
  function keepLocal(force) {
    if (!current || !mark) return;
    var now = Date.now();
    if (!force && now - lastSave < SAVE_EVERY_MS) return;
    lastSave = now;
    positions.keep(current.id, mark);
  }
  function sendProgress(force, beacon) {
    if (!current || !mark || !document.body.dataset.progressUrl) return;
    var now = Date.now();
    if (!force && now - lastProgress < PROGRESS_EVERY_MS) return;
    if (lastSent && lastSent.id === current.id && lastSent.at === mark.at) return;
    lastProgress = now;
    var sent = { id: current.id, at: mark.at }, wasDeliberate = deliberate;
    positions.report({
      episode: current.id,
      mark: mark,
      total: isFinite(audio.duration) ? Math.floor(audio.duration) : current.duration || 0,
      started: sessionStart,
      deliberate: deliberate,
    }, beacon).then(function (result) {
      if (!result.ok) return;
      lastSent = sent;
      if (wasDeliberate && current && current.id === sent.id) deliberate = false;
      if (result.newer && current && current.id === sent.id) consider(result.newer);
    });
  }
  /* The account knows `known` for the current episode: move there if it is newer than anything the
   * listener did here, and they are not listening right now. */
  function consider(known) {
    var here = positions.newest(mark, positions.local(current.id));
    if (!known || !audio.paused || (here && here.at >= known.at)) return;
    current.known = known;
    var start = startOf(current);
    deliberate = start.deliberate;
    if (audio.readyState >= 1 && pendingSeek === null) audio.currentTime = start.position;
    else pendingSeek = start.position;
    render();
  }

  // ---- formatting --------------------------------------------------------------------------------------
  var clock = positions.clock;
  /* Seconds from "1h2m3s", "2m", "90", "1:02:03" or "62:03"; null when not a timestamp. */
  function parseTimestamp(value) {
    if (!value) return null;
    var text = String(value).trim().toLowerCase();
    var c = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(text);
    if (c) return (+(c[1] || 0)) * 3600 + (+c[2]) * 60 + Math.floor(+c[3]);
    var u = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(text);
    if (u && (u[1] || u[2] || u[3])) return (+(u[1] || 0)) * 3600 + (+(u[2] || 0)) * 60 + Math.floor(+(u[3] || 0));
    return null;
  }
  function timestampFromLocation() {
    var query = new URLSearchParams(location.search).get("t");
    var hash = /(?:^#|&)t=([^&]+)/.exec(location.hash);
    return parseTimestamp(query !== null ? query : hash ? decodeURIComponent(hash[1]) : null);
  }

  // ---- the player --------------------------------------------------------------------------------------
  function render() {
    var playing = current && !audio.paused;
    ui.toggle.textContent = playing ? "❚❚" : "▶";
    ui.toggle.setAttribute("aria-label", playing ? labels.pause : labels.play);
    var duration = isFinite(audio.duration) && audio.duration > 0 ? audio.duration : (current && current.duration) || 0;
    ui.seek.max = String(Math.floor(duration));
    if (!seeking) ui.seek.value = String(Math.floor(audio.currentTime || 0));
    ui.time.textContent = clock(audio.currentTime);
    ui.duration.textContent = clock(duration);
    ui.seek.setAttribute("aria-valuetext", clock(audio.currentTime) + " / " + clock(duration));
    document.querySelectorAll(".play-episode").forEach(function (button) {
      var mine = current && button.dataset.episode === String(current.id);
      var from = mine ? (pendingSeek !== null ? pendingSeek : audio.currentTime) : Number(button.dataset.start) || 0;
      var label = mine && playing ? labels.pause : from >= 1 && button.dataset.resumeLabel
        ? button.dataset.resumeLabel.replace("{time}", clock(from)) : labels.play;
      button.textContent = (mine && playing ? "❚❚ " : "▶ ") + label;
      button.setAttribute("aria-pressed", mine && playing ? "true" : "false");
    });
  }

  function mediaSession() {
    if (!("mediaSession" in navigator) || !current) return;
    try {
      navigator.mediaSession.metadata = new MediaMetadata({
        title: current.title,
        artist: current.show,
        album: "Lytt",
        artwork: current.artwork ? [{ src: current.artwork, sizes: "512x512" }] : [],
      });
    } catch (e) { /* MediaMetadata missing: controls still work */ }
  }

  function positionState() {
    if (!("mediaSession" in navigator) || !navigator.mediaSession.setPositionState) return;
    if (!isFinite(audio.duration) || audio.duration <= 0) return;
    try {
      navigator.mediaSession.setPositionState({
        duration: audio.duration,
        playbackRate: audio.playbackRate,
        position: Math.min(audio.currentTime, audio.duration),
      });
    } catch (e) { /* inconsistent state while loading */ }
  }

  /* A seek the listener asked for: a deliberate move, kept and reported at once. */
  function seekTo(seconds) {
    if (!current) return;
    seconds = Math.max(0, seconds);
    if (audio.readyState >= 1) {
      if (isFinite(audio.duration)) seconds = Math.min(seconds, audio.duration);
      audio.currentTime = seconds;
    } else {
      pendingSeek = seconds;
    }
    sessionStart = Math.floor(seconds);
    deliberate = true;
    note(seconds);
    keepLocal(true);
    sendProgress(true);
    render();
  }
  function skip(delta) { if (current) seekTo((audio.currentTime || 0) + delta); }

  /* Make `episode` the current one. `start` (seconds or null) overrides the remembered position, on
   * purpose: it counts as a deliberate move. */
  function loadEpisode(episode, start) {
    if (current && current.id === episode.id) {
      if (start !== null && start !== undefined) seekTo(start);
      return;
    }
    keepLocal(true);
    sendProgress(true);
    current = episode;
    listened = 0;
    mark = null;
    var stored = {};
    Object.keys(episode).forEach(function (key) { if (key !== "known") stored[key] = episode[key]; });
    store(KEY_CURRENT, stored);
    audio.src = episode.src;
    audio.playbackRate = Number(ui.speed.value) || 1;
    var from = startOf(episode);
    var explicit = start !== null && start !== undefined;
    pendingSeek = explicit ? start : from.position;
    deliberate = explicit || from.deliberate;
    if (!episode.known) positions.fromAccount(episode.id).then(function (known) {
      if (current === episode) consider(known);
    });
    ui.title.textContent = episode.title;
    ui.title.href = episode.url || "#";
    ui.show.textContent = episode.show || "";
    if (episode.artwork) { ui.art.src = episode.artwork; ui.art.hidden = false; } else { ui.art.hidden = true; }
    root.hidden = false;
    mediaSession();
    render();
    document.dispatchEvent(new CustomEvent("lytt:episode", { detail: { episode: episode } }));
  }

  function play() {
    if (!current) return;
    var attempt = audio.play();
    if (attempt && attempt.catch) attempt.catch(function () { render(); });
  }
  function toggle() { if (current) { if (audio.paused) play(); else audio.pause(); } }

  audio.addEventListener("loadedmetadata", function () {
    if (pendingSeek !== null) {
      var target = isFinite(audio.duration) ? Math.min(pendingSeek, audio.duration) : pendingSeek;
      pendingSeek = null;
      audio.currentTime = target;
    }
    positionState();
    render();
  });
  audio.addEventListener("play", function () {
    lastTick = null;
    lastProgress = Date.now();
    sessionStart = Math.floor(pendingSeek !== null ? pendingSeek : audio.currentTime);
    render();
  });
  audio.addEventListener("pause", function () {
    if (!audio.ended && pendingSeek === null) note(audio.currentTime);
    keepLocal(true);
    sendProgress(true);
    render();
  });
  audio.addEventListener("ended", function () { note(audio.currentTime); keepLocal(true); sendProgress(true); render(); });
  audio.addEventListener("ratechange", positionState);
  audio.addEventListener("timeupdate", function () {
    var now = performance.now();
    if (!audio.paused && lastTick !== null) listened += Math.min((now - lastTick) / 1000, 1);
    lastTick = audio.paused ? null : now;
    if (current && listened >= PLAY_REPORT_SECONDS && !reported[current.id]) reportPlay(current.id);
    if (!audio.paused && pendingSeek === null && !audio.seeking) note(audio.currentTime);
    keepLocal(false);
    sendProgress(false);
    render();
  });

  ui.toggle.addEventListener("click", toggle);
  ui.back.addEventListener("click", function () { skip(-BACK_SECONDS); });
  ui.fwd.addEventListener("click", function () { skip(FORWARD_SECONDS); });
  ui.seek.addEventListener("input", function () { seeking = true; ui.time.textContent = clock(ui.seek.value); });
  ui.seek.addEventListener("change", function () { seeking = false; seekTo(Number(ui.seek.value)); });
  ui.speed.addEventListener("change", function () {
    audio.playbackRate = Number(ui.speed.value) || 1;
    store(KEY_SPEED, audio.playbackRate);
  });
  var savedSpeed = load(KEY_SPEED);
  if (typeof savedSpeed === "number") ui.speed.value = String(savedSpeed);

  if ("mediaSession" in navigator) {
    var handlers = {
      play: play,
      pause: function () { audio.pause(); },
      seekbackward: function (d) { skip(-((d && d.seekOffset) || BACK_SECONDS)); },
      seekforward: function (d) { skip((d && d.seekOffset) || FORWARD_SECONDS); },
      seekto: function (d) { if (d && typeof d.seekTime === "number") seekTo(d.seekTime); },
    };
    Object.keys(handlers).forEach(function (action) {
      try { navigator.mediaSession.setActionHandler(action, handlers[action]); } catch (e) { /* unsupported */ }
    });
  }

  /* Previous and next track (lock screens, headsets, `LyttPlayer.step`). This file owns every Media Session
   * handler; other files offer steps (`LyttPlayer.offerStep(kind, step)`): "chapter" (player-extras.js) and
   * "queue" (queue.js), each `step(delta)` returning true when it moved. Next is the next chapter when one
   * follows, else the next queued episode; previous is the chapter before, else the episode's start. */
  var trackSteps = { chapter: null, queue: null };
  function trackStep(delta) {
    if (!current) return false;
    if (trackSteps.chapter && trackSteps.chapter(delta)) return true;
    if (delta > 0) return !!(trackSteps.queue && trackSteps.queue(delta));
    seekTo(0);
    return true;
  }
  function trackHandlers() {
    if (!("mediaSession" in navigator)) return;
    var actions = { previoustrack: -1, nexttrack: trackSteps.chapter || trackSteps.queue ? 1 : 0 };
    Object.keys(actions).forEach(function (action) {
      var delta = actions[action];
      try {
        navigator.mediaSession.setActionHandler(action, delta ? function () { trackStep(delta); } : null);
      } catch (e) { /* unsupported */ }
    });
  }
  trackHandlers();

  /* A key the player may take as a shortcut: no Alt/Ctrl/Meta (Shift makes "?"), not typed into a field. */
  function shortcut(event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return false;
    var target = event.target, tag = target && target.tagName;
    return !(tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable));
  }

  document.addEventListener("keydown", function (event) {
    if (!current || !shortcut(event)) return;
    var tag = event.target && event.target.tagName;
    var key = event.key;
    if ((key === " " || key === "Spacebar") && (tag === "BUTTON" || tag === "A")) return; // activate it instead
    if (key === " " || key === "Spacebar" || key === "k") toggle();
    else if (key === "j" || key === "ArrowLeft") skip(-BACK_SECONDS);
    else if (key === "l" || key === "ArrowRight") skip(FORWARD_SECONDS);
    else return;
    event.preventDefault();
  });

  // ---- reporting ---------------------------------------------------------------------------------------
  function reportPlay(id) {
    reported[id] = true;
    var url = document.body.dataset.playUrl;
    if (!url) return;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "episode=" + encodeURIComponent(id),
    }).catch(function () { /* counting is best effort */ });
  }
  function leaving() { keepLocal(true); sendProgress(true, true); }
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") leaving(); });

  // ---- page enhancement --------------------------------------------------------------------------------
  function episodeFrom(box) {
    return {
      id: box.dataset.episode,
      src: box.dataset.src,
      title: box.dataset.title,
      show: box.dataset.show,
      url: box.dataset.url,
      artwork: box.dataset.artwork,
      duration: Number(box.dataset.duration) || 0,
      known: positions.fromData(box.dataset),
    };
  }

  var TIMESTAMP_TEXT = /\b(?:\d{1,2}:)?\d{1,2}:\d{2}\b/g;
  function linkifyTimestamps(notes) {
    var walker = document.createTreeWalker(notes, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) {
      var node = walker.currentNode;
      if (node.parentNode && node.parentNode.closest("a, button")) continue;
      TIMESTAMP_TEXT.lastIndex = 0;
      if (TIMESTAMP_TEXT.test(node.nodeValue)) nodes.push(node);
    }
    nodes.forEach(function (node) {
      var fragment = document.createDocumentFragment();
      var text = node.nodeValue, last = 0, match;
      TIMESTAMP_TEXT.lastIndex = 0;
      while ((match = TIMESTAMP_TEXT.exec(text))) {
        var seconds = parseTimestamp(match[0]);
        if (seconds === null) continue;
        fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
        var link = document.createElement("a");
        link.className = "timestamp";
        link.href = "?t=" + seconds;
        link.dataset.seek = String(seconds);
        link.textContent = match[0];
        fragment.appendChild(link);
        last = match.index + match[0].length;
      }
      fragment.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(fragment, node);
    });
  }

  /* Podcasting 2.0 chapters (a JSON file the feed links to): fetched by the browser, listed after the
   * player as timestamp links. Files on other hosts need CORS; without it the list simply does not appear. */
  function loadChapters(box) {
    fetch(box.dataset.chaptersUrl, { credentials: "omit" })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) {
        var chapters = (data && Array.isArray(data.chapters) ? data.chapters : []).filter(function (c) {
          return typeof c.startTime === "number" && c.toc !== false;
        });
        if (!chapters.length || !box.isConnected) return;
        var section = document.createElement("section");
        section.className = "chapters";
        var heading = document.createElement("h2");
        heading.textContent = box.dataset.i18nChapters || "Chapters";
        var list = document.createElement("ol");
        chapters.forEach(function (chapter) {
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.className = "timestamp";
          link.href = "?t=" + Math.floor(chapter.startTime);
          link.dataset.seek = String(chapter.startTime);
          link.textContent = clock(chapter.startTime);
          item.appendChild(link);
          item.appendChild(document.createTextNode(" " + (chapter.title || "")));
          list.appendChild(item);
        });
        section.appendChild(heading);
        section.appendChild(list);
        box.after(section);
      })
      .catch(function () { /* no chapters list: the episode still plays */ });
  }

  function enhance(scope) {
    var box = scope.querySelector(".episode-player[data-episode]");
    var pageEpisode = box ? episodeFrom(box) : null;
    if (box) {
      var inline = box.querySelector("audio");
      if (inline) { inline.pause(); inline.remove(); }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "play-episode";
      button.dataset.episode = pageEpisode.id;
      var start = timestampFromLocation();
      if (start === null && box.dataset.start) start = Number(box.dataset.start);
      button.dataset.start = String(start !== null ? start : startOf(pageEpisode).position);
      button.dataset.resumeLabel = box.dataset.i18nResume || "";
      var resumeNote = box.querySelector(".episode-player__resume");
      if (resumeNote) resumeNote.remove();
      box.appendChild(button);
      if (current && current.id === pageEpisode.id && pageEpisode.known) consider(pageEpisode.known);
      button.addEventListener("click", function () {
        if (current && current.id === pageEpisode.id) { toggle(); return; }
        loadEpisode(pageEpisode, start);
        play();
      });
      if (start !== null && current && current.id === pageEpisode.id) seekTo(start);
    }
    if (box && box.dataset.chaptersUrl && !scope.querySelector(".chapters")) loadChapters(box);
    var notes = scope.querySelector(".notes");
    if (notes && pageEpisode) linkifyTimestamps(notes);
    scope.addEventListener("click", function (event) {
      var stamp = event.target.closest && event.target.closest("[data-seek]");
      if (!stamp || !pageEpisode || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      event.stopPropagation();
      var seconds = Number(stamp.dataset.seek) || 0;
      if (!current || current.id !== pageEpisode.id) loadEpisode(pageEpisode, seconds);
      else seekTo(seconds);
      play();
    });
    render();
  }

  // "Show more": append the next page's episodes in place.
  document.addEventListener("click", function (event) {
    var more = event.target.closest && event.target.closest("a[data-more-into]");
    if (!more || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    event.stopPropagation();
    var list = document.querySelector(more.dataset.moreInto);
    fetch(more.href, { credentials: "same-origin" })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var items = doc.querySelectorAll(more.dataset.moreInto + " > li");
        var first = null;
        items.forEach(function (item) { var node = document.importNode(item, true); first = first || node; list.appendChild(node); });
        document.dispatchEvent(new CustomEvent("lytt:rows", { detail: { list: list } }));
        var next = doc.querySelector("a[data-more-into]");
        if (next) more.href = next.getAttribute("href"); else more.remove();
        var link = first && first.querySelector("a");
        if (link) link.focus();
      })
      .catch(function () { location.href = more.href; });
  }, true);

  // ---- navigation that keeps the player ----------------------------------------------------------------
  var SKIP_PATHS = /^\/(static|admin|api|media|i18n|sitemap|robots\.txt|charts|accounts\/logout)/;

  function swappable(url) {
    return url.origin === location.origin && !SKIP_PATHS.test(url.pathname);
  }

  /* Pages of other packages add their own stylesheets (block head) and scripts (block extra_js): bring in
   * the ones this document has not loaded yet, once. Inline scripts are not re-run. */
  function adoptAssets(doc) {
    doc.querySelectorAll('link[rel="stylesheet"][href]').forEach(function (link) {
      var href = new URL(link.getAttribute("href"), location.href).href;
      var known = Array.prototype.some.call(document.querySelectorAll('link[rel="stylesheet"]'), function (l) { return l.href === href; });
      if (!known) document.head.appendChild(document.importNode(link, true));
    });
    doc.querySelectorAll("script[src]").forEach(function (script) {
      var src = new URL(script.getAttribute("src"), location.href).href;
      var known = Array.prototype.some.call(document.querySelectorAll("script[src]"), function (s) { return s.src === src; });
      if (known) return;
      var fresh = document.createElement("script");
      Array.prototype.forEach.call(script.attributes, function (attr) { fresh.setAttribute(attr.name, attr.value); });
      fresh.async = false;
      document.body.appendChild(fresh);
    });
  }

  /* Inline scripts a page adds after <main> (block extra_js) run again, as on a full load. */
  function runPageScripts(doc) {
    doc.querySelectorAll("main ~ script:not([src])").forEach(function (script) {
      var fresh = document.createElement("script");
      fresh.textContent = script.textContent;
      document.body.appendChild(fresh);
      fresh.remove();
    });
  }

  function navigate(url, push) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("text/html") !== 0) throw new Error("not a page");
        return response.text().then(function (html) { return { response: response, html: html }; });
      })
      .then(function (result) {
        var doc = new DOMParser().parseFromString(result.html, "text/html");
        var main = doc.querySelector("main");
        var oldMain = document.querySelector("main");
        if (!main || !oldMain) throw new Error("no main");
        var finalUrl = result.response.url || url;
        if (push) history.pushState({ lytt: true }, "", finalUrl);
        document.title = doc.title;
        var freshCanonical = doc.querySelector('link[rel="canonical"]');
        var oldCanonical = document.querySelector('link[rel="canonical"]');
        if (freshCanonical && oldCanonical) oldCanonical.href = freshCanonical.href;
        var newBody = doc.body;
        ["progressUrl", "playUrl"].forEach(function (key) {
          if (newBody.dataset[key]) document.body.dataset[key] = newBody.dataset[key];
          else delete document.body.dataset[key];
        });
        // The header stays (scripts such as search-as-you-type are bound to it); only what depends on the
        // page is carried over: the language switcher's return address and the search box's query.
        [".lang-switch input[name=next]", ".site-search input[name=q]"].forEach(function (selector) {
          var fresh = doc.querySelector(selector), old = document.querySelector(selector);
          if (fresh && old && old !== document.activeElement) old.value = fresh.value;
        });
        adoptAssets(doc);
        var imported = document.importNode(main, true);
        oldMain.replaceWith(imported);
        runPageScripts(doc);
        enhance(imported);
        document.dispatchEvent(new CustomEvent("lytt:page", { detail: { main: imported } }));
        var hash = new URL(finalUrl, location.href).hash;
        var anchor = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
        if (anchor) anchor.scrollIntoView(); else window.scrollTo(0, 0);
        imported.focus({ preventScroll: true });
      })
      .catch(function () { location.href = url; });
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || link.dataset.noSwap !== undefined) return;
    if (link.getAttribute("rel") && /\bexternal\b/.test(link.getAttribute("rel"))) return;
    var url = new URL(link.href, location.href);
    if (!swappable(url)) return;
    if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page
    event.preventDefault();
    navigate(url.href, true);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.dataset.noSwap !== undefined || (form.method || "get").toLowerCase() !== "get") return;
    var url = new URL(form.action || location.href, location.href);
    if (!swappable(url)) return;
    event.preventDefault();
    url.search = new URLSearchParams(new FormData(form)).toString();
    navigate(url.href, true);
  });

  window.addEventListener("popstate", function () { navigate(location.href, false); });

  /* For player-extras.js, lists.js and queue.js (docs/architecture.md, "Player extras", "Play from
   * anywhere", "The queue"). `play(episode)` ({id, src, title, show, url, artwork, duration, known: the account's mark or
   * null}) plays from where the listener left it, or pauses or goes on when it is the current episode.
   * `sleepAtEnd` (the sleep timer's): an ended episode must not move on to the next. `lytt:episode` fires
   * when one becomes current. `step(delta)` and `offerStep(kind, step)`: previous/next track (above). */
  window.LyttPlayer = {
    audio: audio, current: function () { return current; }, seek: seekTo, toggle: toggle, clock: clock,
    shortcut: shortcut, sleepAtEnd: false,
    play: function (episode) {
      episode.id = String(episode.id);
      if (current && current.id === episode.id) { toggle(); return; }
      loadEpisode(episode, null);
      play();
    },
    playing: function () { return current && !audio.paused ? current.id : null; },
    step: trackStep,
    offerStep: function (kind, step) { trackSteps[kind] = step || null; trackHandlers(); },
  };

  // ---- start -------------------------------------------------------------------------------------------
  history.replaceState({ lytt: true }, "", location.href);
  var previous = load(KEY_CURRENT);
  if (previous && previous.id && previous.src) loadEpisode(previous, null);
  enhance(document.querySelector("main") || document.body);
})();
