/* Lytt follow-along: the episode page's chapters and transcript follow the audio.
 *
 * The server renders both (readable without JavaScript): chapters as `.chapters li > a[data-seek]`, and
 * transcript lines as `.transcript__lines p[data-seek]`, each with a `?t=` link. Seeking is the player's
 * (player.js seeks on a click on any `[data-seek]` inside <main>, loading the page's episode if needed),
 * so this file only listens to the audio element and clicks those links:
 * - while the page's episode plays, the current chapter and line get `aria-current="true"` and the class
 *   `is-current`; the transcript box scrolls to keep the line in view until the listener scrolls it
 *   themselves ("Follow the audio" brings it back);
 * - previous/next chapter buttons (Media Session previoustrack/nexttrack are player.js's, which steps
 *   chapters through player-extras.js and then the queue);
 * - the chapter title goes into the Media Session metadata (title: chapter, album: episode), and a
 *   `lytt:chapter` CustomEvent fires on `document` when the chapter of the playing episode changes,
 *   with `detail: {index, start, title, episode}`, for the player or anything else that wants it.
 * It owns chapter stepping: `window.LyttChapters` (below) is what player-extras.js uses for the n/p keys and
 * the sleep timer's "end of chapter", so keys, buttons and the timer agree.
 * The audio is the persistent player's `#lytt-audio` when player.js runs, else the page's own <audio>.
 * Pages swapped in by player.js announce themselves with the `lytt:page` event; this file binds again.
 */
(function () {
  "use strict";
  if (window.lyttFollowAlong) { window.lyttFollowAlong.bind(document.querySelector("main") || document.body); return; }

  var RESTART_SECONDS = 3; // "previous" within this many seconds of a chapter's start goes to the one before
  var known = {}; // chapters of episodes seen on this page load, by absolute audio URL: {episode, chapters}
  var page = null; // the bound page: {src, box, lines, lineStarts, chapterItems, chapterStarts, ...}
  var lastChapter = { src: null, index: -1 };

  function absolute(url) { try { return new URL(url, location.href).href; } catch (e) { return ""; } }
  function persistentAudio() { return document.getElementById("lytt-audio"); }

  function activeAudio() {
    var shared = persistentAudio();
    if (shared && shared.currentSrc) return shared;
    if (shared && shared.getAttribute("src")) return shared;
    return page && page.box ? page.box.querySelector("audio") : shared;
  }
  function playingSrc(audio) { return audio ? absolute(audio.currentSrc || audio.getAttribute("src") || "") : ""; }

  /* Index of the last start <= t in a sorted array, or -1. */
  function indexAt(starts, t) {
    var lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function mark(list, index, previous) {
    if (previous >= 0 && list[previous]) { list[previous].classList.remove("is-current"); list[previous].removeAttribute("aria-current"); }
    if (index >= 0 && list[index]) { list[index].classList.add("is-current"); list[index].setAttribute("aria-current", "true"); }
  }

  // ---- the transcript box follows unless the listener scrolled it ---------------------------------------
  function follow(index) {
    var box = page.lines, line = page.lineItems[index];
    if (!box || !line || !page.following) return;
    var top = line.offsetTop - box.clientHeight / 3;
    if (Math.abs(box.scrollTop - top) < 4) return;
    page.autoScroll = true;
    box.scrollTop = Math.max(0, top);
  }
  function onTranscriptScroll() {
    if (page.autoScroll) { page.autoScroll = false; return; }
    if (!page.following) return;
    page.following = false;
    page.resume.hidden = false;
  }

  // ---- chapters ----------------------------------------------------------------------------------------
  function chapterTitle(entry, index) { return entry.chapters[index] ? entry.chapters[index].title : ""; }

  function mediaSessionChapter(entry, index) {
    if (!("mediaSession" in navigator) || !navigator.mediaSession.metadata) return;
    var metadata = navigator.mediaSession.metadata;
    var title = chapterTitle(entry, index) || entry.episode;
    if (metadata.title !== title) {
      try { metadata.title = title; metadata.album = entry.episode; } catch (e) { /* read-only in old browsers */ }
    }
  }

  /* The chapter to go to from `t` seconds in chapters starting at `starts` (sorted): `delta` 1 is the next
   * one, -1 the start of the current one, or of the one before within RESTART_SECONDS of its start. An
   * index into `starts`, or -1 when there is none (after the last chapter). */
  function stepTarget(starts, t, delta) {
    if (!starts.length) return -1;
    var index = indexAt(starts, t);
    if (delta > 0) return index + 1 < starts.length ? index + 1 : -1;
    return Math.max(0, index >= 0 && t - starts[index] > RESTART_SECONDS ? index : index - 1);
  }
  /* Where the chapter playing at `t` ends: the next chapter's start, or null in the last one. */
  function chapterEnd(starts, t) {
    var next = indexAt(starts, t) + 1;
    return next < starts.length ? starts[next] : null;
  }

  var byEpisode = {}; // episode id -> chapter starts, for the episodes whose page was seen on this page load
  /* The chapter starts of episode `id`: read from the page when it is that episode's (chapters fetched by
   * the browser appear after the page was bound), else as remembered; null when none are known. */
  function startsOf(id) {
    var main = document.querySelector("main") || document.body;
    var box = main.querySelector(".episode-player[data-episode]");
    if (box && box.dataset.episode === String(id)) {
      var found = starts(Array.prototype.slice.call(main.querySelectorAll(".chapters li > a[data-seek]")));
      if (found.length) byEpisode[box.dataset.episode] = found.sort(function (a, b) { return a - b; });
    }
    return byEpisode[String(id)] || null;
  }

  function chapterStep(delta) {
    var audio = activeAudio(), src = playingSrc(audio);
    if (!page || !page.chapterLinks.length) return;
    var t = audio && src === page.src ? audio.currentTime : 0;
    var target = stepTarget(page.chapterStarts, t, delta);
    if (target >= 0) page.chapterLinks[target].click(); // player.js seeks (and starts the page's episode if needed)
  }

  // ---- the clock ---------------------------------------------------------------------------------------
  function tick(event) {
    var audio = event && event.target && event.target.tagName === "AUDIO" ? event.target : activeAudio();
    var src = playingSrc(audio);
    if (!audio || !src) return;
    var t = audio.currentTime || 0;
    var entry = known[src];
    if (entry && entry.starts.length) {
      var chapter = indexAt(entry.starts, t);
      if (chapter !== lastChapter.index || src !== lastChapter.src) {
        lastChapter = { src: src, index: chapter };
        document.dispatchEvent(new CustomEvent("lytt:chapter", {
          detail: { index: chapter, start: chapter >= 0 ? entry.starts[chapter] : null, title: chapterTitle(entry, chapter), episode: entry.episode },
        }));
      }
      mediaSessionChapter(entry, chapter);
    }
    if (!page || src !== page.src) return;
    if (page.chapterItems.length) {
      var c = indexAt(page.chapterStarts, t);
      if (c !== page.chapter) {
        mark(page.chapterItems, c, page.chapter);
        page.chapter = c;
        if (page.now) page.now.textContent = c >= 0 ? page.chapterTitles[c] : "";
      }
    }
    if (page.lineItems.length) {
      var l = indexAt(page.lineStarts, t);
      if (l !== page.line) { mark(page.lineItems, l, page.line); page.line = l; follow(l); }
    }
  }

  function listen(audio) {
    if (!audio || audio.dataset.followAlong) return;
    audio.dataset.followAlong = "1";
    ["timeupdate", "seeked", "loadedmetadata", "play"].forEach(function (name) { audio.addEventListener(name, tick); });
  }

  // ---- binding a page ----------------------------------------------------------------------------------
  function starts(items) { return items.map(function (el) { return Number(el.dataset.seek) || 0; }); }

  function bind(scope) {
    var box = scope.querySelector(".episode-player[data-episode]");
    var chaptersSection = scope.querySelector("[data-follow-chapters]");
    var transcript = scope.querySelector("[data-follow-transcript]");
    if (!box || (!chaptersSection && !transcript)) { page = null; return; }
    var chapterLinks = chaptersSection ? Array.prototype.slice.call(chaptersSection.querySelectorAll("li > a[data-seek]")) : [];
    var lines = transcript ? transcript.querySelector(".transcript__lines") : null;
    var lineItems = lines ? Array.prototype.slice.call(lines.querySelectorAll("p[data-seek]")) : [];
    page = {
      src: absolute(box.dataset.src),
      box: box,
      chapterLinks: chapterLinks,
      chapterItems: chapterLinks.map(function (a) { return a.parentNode; }),
      chapterStarts: starts(chapterLinks),
      chapterTitles: chapterLinks.map(function (a) { var t = a.querySelector(".chapter__title"); return t ? t.textContent : ""; }),
      chapter: -1,
      lines: lines,
      lineItems: lineItems,
      lineStarts: starts(lineItems),
      line: -1,
      following: true,
      autoScroll: false,
      now: chaptersSection ? chaptersSection.querySelector(".chapter-nav__now") : null,
      resume: null,
    };
    if (chapterLinks.length) {
      byEpisode[box.dataset.episode] = page.chapterStarts;
      known[page.src] = {
        episode: box.dataset.title || "",
        starts: page.chapterStarts,
        chapters: page.chapterTitles.map(function (title) { return { title: title }; }),
      };
      var nav = chaptersSection.querySelector(".chapter-nav");
      if (nav) {
        nav.hidden = false;
        nav.querySelector(".chapter-nav__prev").addEventListener("click", function () { chapterStep(-1); });
        nav.querySelector(".chapter-nav__next").addEventListener("click", function () { chapterStep(1); });
      }
    }
    if (lines) {
      var resume = document.createElement("button");
      resume.type = "button";
      resume.className = "transcript__resume";
      resume.textContent = transcript.dataset.i18nFollow || "Follow the audio";
      resume.hidden = true;
      resume.addEventListener("click", function () {
        page.following = true;
        resume.hidden = true;
        follow(page.line);
      });
      lines.parentNode.insertBefore(resume, lines);
      page.resume = resume;
      lines.addEventListener("scroll", onTranscriptScroll, { passive: true });
    }
    listen(persistentAudio());
    listen(box.querySelector("audio"));
    tick(null);
  }

  window.lyttFollowAlong = { bind: bind };
  window.LyttChapters = { startsOf: startsOf, target: stepTarget, end: chapterEnd, indexAt: indexAt };
  document.addEventListener("lytt:page", function (event) { bind(event.detail && event.detail.main ? event.detail.main : document); });
  bind(document.querySelector("main") || document.body);
})();
