/* Lytt player extras: volume and mute, a sleep timer, speed remembered per show, "Share from 12:34" and the
 * keyboard shortcuts dialog. Loaded after player.js and talks to the persistent player only through
 * window.LyttPlayer (its <audio>, the current episode, seeking, the shortcut rule), the `lytt:episode` and
 * `lytt:page` events and the player's DOM (#lytt-player). Strings come from data-i18n-* on #lytt-player.
 *
 * - Volume: `lytt:volume` in localStorage ({"v": 0..1, "m": muted}); m mutes, ArrowUp/ArrowDown step 10 %.
 * - Speed: `lytt:speed:<show slug>` (the slug from the episode's /podcast/<show>/<episode>/ URL), else the
 *   last speed chosen anywhere (player.js's `lytt:speed`); applied when an episode becomes the current one.
 * - Sleep timer: minutes of listening (the time left stands still while paused), the end of the episode
 *   (sets LyttPlayer.sleepAtEnd, so a queue must not move on) or the end of the current chapter (chapters
 *   and the n/p keys' stepping come from follow-along.js's window.LyttChapters, which remembers the chapters
 *   of each episode page seen on this page load; without chapters the option is hidden). The last
 *   FADE_SECONDS fade out, then it pauses.
 * - Share: the episode page's absolute URL with ?t=<seconds>; navigator.share, else the clipboard with a
 *   visible confirmation, else the link in a text field to copy by hand.
 */
(function () {
  "use strict";

  var FADE_SECONDS = 8;
  var TICK_MS = 250;
  var VOLUME_STEP = 0.1;
  var KEY_VOLUME = "lytt:volume";
  var KEY_SPEED = "lytt:speed";
  var KEY_SHOW_SPEED = "lytt:speed:";

  var player = window.LyttPlayer;
  var root = document.getElementById("lytt-player");
  if (!player || !root) return;
  var audio = player.audio;
  var text = root.dataset;
  var ui = {
    speed: root.querySelector(".player__speed"),
    more: root.querySelector(".player__more"),
    panel: root.querySelector(".player__panel"),
    mute: root.querySelector(".player__mute"),
    volume: root.querySelector(".player__volume-level"),
    sleepLeft: root.querySelector(".player__sleep-left"),
    sleepOptions: root.querySelectorAll("[data-sleep]"),
    sleepChapter: root.querySelector('[data-sleep="chapter"]'),
    sleepStatus: root.querySelector(".player__sleep-status"),
    sleepText: root.querySelector(".player__sleep-text"),
    sleepCancel: root.querySelector(".player__sleep-cancel"),
    share: root.querySelector(".player__share"),
    shareResult: root.querySelector(".player__share-row .share-result"),
    keys: root.querySelector(".player__keys"),
    announce: root.querySelector(".player__announce"),
    dialog: document.getElementById("lytt-shortcuts"),
  };

  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: not remembered */ }
  }
  function load(key) {
    try { var raw = localStorage.getItem(key); return raw === null ? null : JSON.parse(raw); } catch (e) { return null; }
  }
  function fill(template, name, value) { return String(template || "").replace("{" + name + "}", value); }
  function say(message) {
    // Emptied first so the same message twice is announced twice.
    ui.announce.textContent = "";
    window.setTimeout(function () { ui.announce.textContent = message; }, 50);
  }

  // ---- volume and mute ---------------------------------------------------------------------------------
  var saved = load(KEY_VOLUME) || {};
  var volume = typeof saved.v === "number" ? Math.min(1, Math.max(0, saved.v)) : 1;
  var muted = saved.m === true;
  var fade = 1; // the sleep timer's fade factor, applied on top of the listener's volume

  function applyVolume() {
    audio.volume = Math.max(0, Math.min(1, volume * fade));
    audio.muted = muted;
    var level = Math.round(volume * 100);
    ui.volume.value = String(level);
    ui.volume.setAttribute("aria-valuetext", level + " %" + (muted ? ", " + text.i18nMuted : ""));
    ui.mute.setAttribute("aria-pressed", muted ? "true" : "false");
  }
  function setVolume(value, announce) {
    volume = Math.round(Math.min(1, Math.max(0, value)) * 100) / 100;
    if (volume > 0 && muted) muted = false;
    store(KEY_VOLUME, { v: volume, m: muted });
    applyVolume();
    if (announce) say(text.i18nVolume + " " + Math.round(volume * 100) + " %");
  }
  function toggleMute(announce) {
    muted = !muted;
    store(KEY_VOLUME, { v: volume, m: muted });
    applyVolume();
    if (announce) say(muted ? text.i18nMuted : text.i18nUnmuted);
  }
  ui.mute.addEventListener("click", function () { toggleMute(false); });
  ui.volume.addEventListener("input", function () { setVolume(Number(ui.volume.value) / 100, false); });
  applyVolume();

  // ---- speed per show ----------------------------------------------------------------------------------
  function showOf(episode) {
    var match = episode && /\/podcast\/([^/]+)\//.exec(episode.url || "");
    return match ? decodeURIComponent(match[1]) : null;
  }
  function applySpeed(episode) {
    var show = showOf(episode);
    var rate = (show && load(KEY_SHOW_SPEED + show)) || load(KEY_SPEED) || 1;
    var option = Array.prototype.find.call(ui.speed.options, function (o) { return Number(o.value) === rate; });
    if (!option) return;
    ui.speed.value = option.value;
    audio.defaultPlaybackRate = rate; // a new source resets playbackRate to this
    audio.playbackRate = rate;
  }
  ui.speed.addEventListener("change", function () {
    var show = showOf(player.current());
    audio.defaultPlaybackRate = Number(ui.speed.value) || 1;
    if (show) store(KEY_SHOW_SPEED + show, Number(ui.speed.value) || 1);
  });
  function stepSpeed(delta) {
    var index = Math.min(ui.speed.options.length - 1, Math.max(0, ui.speed.selectedIndex + delta));
    if (index === ui.speed.selectedIndex) return;
    ui.speed.selectedIndex = index;
    ui.speed.dispatchEvent(new Event("change", { bubbles: true }));
    say(fill(text.i18nSpeed, "rate", ui.speed.options[index].value));
  }

  // ---- chapters: follow-along.js owns them (window.LyttChapters), for the episodes seen on this page load
  function currentChapters() {
    var episode = player.current(), chapters = window.LyttChapters;
    return episode && chapters ? chapters.startsOf(episode.id) : null;
  }
  /* The end of the chapter playing at `t`: the next chapter's start, or the end of the episode (null). */
  function chapterEnd(t) {
    var starts = currentChapters();
    return starts ? window.LyttChapters.end(starts, t) : null;
  }
  function stepChapter(delta) {
    var starts = currentChapters();
    if (!starts) return false;
    var target = window.LyttChapters.target(starts, audio.currentTime || 0, delta);
    if (target < 0) return false;
    player.seek(starts[target]);
    return true;
  }

  // ---- sleep timer -------------------------------------------------------------------------------------
  var sleep = null; // {mode: "minutes", left: ms} | {mode: "episode"} | {mode: "chapter", until: seconds|null}
  var ticker = null;
  var lastTick = 0;

  /* Seconds of listening left before the timer stops playback (at the current speed). */
  function secondsLeft() {
    if (!sleep) return null;
    if (sleep.mode === "minutes") return sleep.left / 1000;
    var end = sleep.mode === "chapter" && sleep.until !== null ? sleep.until : audio.duration;
    if (!isFinite(end)) return null;
    return Math.max(0, (end - (audio.currentTime || 0)) / (audio.playbackRate || 1));
  }
  function renderSleep() {
    var left = secondsLeft();
    var active = sleep !== null;
    ui.sleepOptions.forEach(function (button) {
      var mine = active && (button.dataset.sleep === sleep.mode || button.dataset.sleep === String(sleep.minutes));
      button.setAttribute("aria-pressed", mine ? "true" : "false");
    });
    ui.sleepStatus.hidden = !active;
    ui.sleepLeft.hidden = !active;
    if (!active) return;
    var clock = left === null ? "" : player.clock(Math.ceil(left));
    var description = sleep.mode === "minutes" ? fill(text.i18nSleepIn, "time", clock)
      : sleep.mode === "chapter" && sleep.until !== null ? text.i18nSleepChapter : text.i18nSleepEpisode;
    ui.sleepText.textContent = description;
    ui.sleepLeft.textContent = "☾ " + clock;
    ui.sleepLeft.setAttribute("aria-label", description + (sleep.mode === "minutes" ? "" : " (" + clock + ")"));
  }
  function setFade(value) {
    if (value === fade) return;
    fade = value;
    applyVolume();
  }
  function stopSleep(message) {
    sleep = null;
    window.clearInterval(ticker);
    ticker = null;
    setFade(1);
    // After the other `ended` listeners (a queue) have seen it.
    window.setTimeout(function () { if (!sleep) player.sleepAtEnd = false; }, 0);
    renderSleep();
    if (message) say(message);
  }
  function sleepTick() {
    if (!sleep) return;
    var now = Date.now();
    if (sleep.mode === "minutes" && !audio.paused) sleep.left -= now - lastTick;
    lastTick = now;
    var left = secondsLeft();
    var pauses = sleep.mode === "minutes" || (sleep.mode === "chapter" && sleep.until !== null); // else `ended`
    if (pauses && left !== null && left <= 0) {
      audio.pause();
      stopSleep(text.i18nSleepDone);
      return;
    }
    setFade(left !== null && left < FADE_SECONDS ? Math.max(0, left / FADE_SECONDS) : 1);
    renderSleep();
  }
  function startSleep(choice) {
    if (choice === "chapter") {
      var until = currentChapters() ? chapterEnd(audio.currentTime || 0) : null;
      sleep = { mode: "chapter", until: until };
    } else if (choice === "episode") {
      sleep = { mode: "episode" };
    } else {
      sleep = { mode: "minutes", minutes: Number(choice), left: Number(choice) * 60000 };
    }
    player.sleepAtEnd = sleep.mode !== "minutes";
    lastTick = Date.now();
    setFade(1);
    window.clearInterval(ticker);
    ticker = window.setInterval(sleepTick, TICK_MS);
    renderSleep();
    say(ui.sleepText.textContent);
  }
  ui.sleepOptions.forEach(function (button) {
    button.addEventListener("click", function () { startSleep(button.dataset.sleep); });
  });
  ui.sleepCancel.addEventListener("click", function () {
    stopSleep(text.i18nSleepOff);
    ui.sleepOptions[0].focus();
  });
  audio.addEventListener("ended", function () { if (sleep && sleep.mode !== "minutes") stopSleep(text.i18nSleepDone); });
  audio.addEventListener("seeked", function () {
    if (sleep && sleep.mode === "chapter") { sleep.until = currentChapters() ? chapterEnd(audio.currentTime) : null; renderSleep(); }
  });
  audio.addEventListener("timeupdate", function () { if (sleep && sleep.mode !== "minutes") sleepTick(); });

  function offerChapterSleep() { ui.sleepChapter.hidden = !currentChapters(); }

  // ---- share from the current time ---------------------------------------------------------------------
  function shareUrl(path, seconds) {
    var url = new URL(path, location.href);
    url.search = "";
    url.hash = "";
    if (seconds >= 1) url.searchParams.set("t", String(Math.floor(seconds)));
    return url.href;
  }
  function shareLabel(seconds) { return seconds >= 1 ? fill(text.i18nShareFrom, "time", player.clock(seconds)) : text.i18nShare; }
  function showLink(url, out) {
    out.textContent = "";
    var label = document.createElement("label");
    label.textContent = text.i18nCopyThis + " ";
    var field = document.createElement("input");
    field.type = "url";
    field.readOnly = true;
    field.className = "share-field";
    field.value = url;
    label.appendChild(field);
    out.appendChild(label);
    field.focus();
    field.select();
  }
  function copied(out) {
    out.textContent = text.i18nCopied;
    say(text.i18nCopied);
  }
  function copy(url, out) {
    if (!navigator.clipboard || !navigator.clipboard.writeText) { showLink(url, out); return; }
    navigator.clipboard.writeText(url).then(function () { copied(out); }, function () { showLink(url, out); });
  }
  function share(url, title, out) {
    if (!navigator.share) { copy(url, out); return; }
    navigator.share({ title: title, url: url }).catch(function (error) {
      if (!error || error.name !== "AbortError") copy(url, out);
    });
  }
  /* What the page's share button shares: its episode from where the player is in it, else from where its
   * play button would start. */
  function pageShare(button) {
    var box = document.querySelector(".episode-player[data-episode]");
    if (!box) return null;
    var episode = player.current();
    var start = box.querySelector(".play-episode");
    var seconds = episode && episode.id === box.dataset.episode ? audio.currentTime : start ? Number(start.dataset.start) || 0 : 0;
    var out = button.nextElementSibling;
    return { url: shareUrl(box.dataset.url, seconds), title: box.dataset.title, seconds: seconds, out: out };
  }
  function playerShare() {
    var episode = player.current();
    if (!episode || !episode.url) return null;
    var seconds = audio.currentTime || 0;
    return { url: shareUrl(episode.url, seconds), title: episode.title, seconds: seconds, out: ui.shareResult };
  }
  function renderShare() {
    var mine = playerShare();
    if (mine) ui.share.textContent = shareLabel(mine.seconds);
    document.querySelectorAll(".episode-share .share-button").forEach(function (button) {
      var page = pageShare(button);
      if (page) button.textContent = shareLabel(page.seconds);
    });
  }
  ui.share.addEventListener("click", function () { var s = playerShare(); if (s) share(s.url, s.title, s.out); });
  function enhanceShare(scope) {
    var link = scope.querySelector(".episode-share .share-link");
    if (!link) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "share-button";
    var out = document.createElement("span");
    out.className = "share-result";
    out.setAttribute("role", "status");
    link.replaceWith(button, " ", out);
    button.addEventListener("click", function () { var s = pageShare(button); if (s) share(s.url, s.title, s.out); });
  }
  function shareShortcut() {
    var s = playerShare();
    if (!s) { var button = document.querySelector(".episode-share .share-button"); s = button && pageShare(button); }
    if (s) share(s.url, s.title, s.out);
  }

  // ---- the "more" panel and the shortcuts dialog -------------------------------------------------------
  function openPanel(open, focusFirst) {
    ui.panel.hidden = !open;
    ui.more.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { offerChapterSleep(); renderShare(); if (focusFirst) ui.mute.focus(); }
  }
  ui.more.hidden = false;
  ui.more.addEventListener("click", function () { openPanel(ui.panel.hidden, false); });
  ui.sleepLeft.addEventListener("click", function () { openPanel(true, false); ui.sleepCancel.focus(); });
  root.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || ui.panel.hidden) return;
    openPanel(false);
    ui.more.focus();
    event.stopPropagation();
  });
  document.addEventListener("click", function (event) {
    if (!ui.panel.hidden && !ui.panel.contains(event.target) && !ui.more.contains(event.target)
      && !ui.sleepLeft.contains(event.target) && !(ui.dialog && ui.dialog.contains(event.target))) openPanel(false);
  });

  var returnFocus = null;
  function openShortcuts() {
    if (!ui.dialog || ui.dialog.open) return;
    returnFocus = document.activeElement;
    ui.dialog.showModal();
    ui.dialog.querySelector(".shortcuts__close").focus();
  }
  if (ui.dialog) {
    ui.dialog.addEventListener("close", function () {
      if (returnFocus && returnFocus.isConnected && returnFocus.focus) returnFocus.focus();
      returnFocus = null;
    });
  }
  ui.keys.addEventListener("click", openShortcuts);

  // ---- keyboard ----------------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (!player.shortcut(event) || (ui.dialog && ui.dialog.open)) return;
    var key = event.key, current = player.current();
    if (key === "?") openShortcuts();
    else if (key === "s") shareShortcut();
    else if (!current) return;
    else if (key === "m") toggleMute(true);
    else if (key === "ArrowUp") setVolume(volume + VOLUME_STEP, true);
    else if (key === "ArrowDown") setVolume(volume - VOLUME_STEP, true);
    else if (key === "<") stepSpeed(-1);
    else if (key === ">") stepSpeed(1);
    else if (key === "n" || key === "p") { if (!stepChapter(key === "n" ? 1 : -1)) return; }
    else return;
    event.preventDefault();
  });

  // ---- wiring ------------------------------------------------------------------------------------------
  var lastSecond = -1;
  audio.addEventListener("timeupdate", function () {
    var second = Math.floor(audio.currentTime || 0);
    if (second !== lastSecond) { lastSecond = second; renderShare(); }
  });
  document.addEventListener("lytt:episode", function (event) {
    applySpeed(event.detail.episode);
    if (sleep && sleep.mode === "chapter") sleep.until = currentChapters() ? chapterEnd(0) : null;
    offerChapterSleep();
    renderShare();
  });
  function enhance(scope) {
    enhanceShare(scope);
    offerChapterSleep();
    renderShare();
  }
  document.addEventListener("lytt:page", function (event) { enhance(event.detail.main); });
  if (player.offerStep) player.offerStep("chapter", stepChapter); // Media Session tracks (player.js)
  if (player.current()) applySpeed(player.current());
  enhance(document.querySelector("main") || document.body);
})();
