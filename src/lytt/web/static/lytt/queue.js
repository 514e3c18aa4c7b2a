/* Lytt queue ("Up next"): add from any episode row, list, reorder, remove, and play on when an episode ends.
 *
 * Where the queue lives (docs/architecture.md, "The queue"):
 * - signed in (data-progress-url on <body>), on the account: read from `data-json` of #lytt-queue-data on
 *   every page load, page swap, return to the tab and before moving on, changed by CSRF-checked POSTs that
 *   answer with the new queue (lytt.web.queue), so no tab keeps a stale copy longer than a page load;
 * - signed out, in this browser: localStorage "lytt:queue", a list of what a row's play button carries;
 *   at the next signed-in page load it is posted to `data-carry` (merged after the account's, without
 *   duplicates) and forgotten here.
 * Rows (`.row-actions[data-episode-id]`, lytt.web.marks): signed in, the server's "Play next" / "Add to
 * queue" form is sent with fetch; signed out, the same buttons are made here. The queue is drawn into every
 * `[data-queue-view]`: the player's panel (the "Up next" button) and the queue page. Each entry has a drag
 * handle (pointer events: mouse and touch), play, move up, move down and remove buttons; Alt+ArrowUp/Down
 * moves the focused entry. Changes are announced in a polite live region.
 * Moves, removals and additions are drawn at once and sent one at a time; until each is answered it is
 * drawn over every answer (`run`), so quick key presses on a slow phone build on each other, and a move
 * names the neighbour it passed (`placed`), which holds when another tab changed the queue meanwhile.
 * When an episode ends, it leaves the queue and the first queued episode plays, unless the sleep timer
 * stops at the end (LyttPlayer.sleepAtEnd). Media Session "next track" offers the queue after the chapters.
 * "Play next" while the queue's first episode plays puts the new one right after it (lytt.accounts.listening
 * .queue_with, mirrored in `withEpisode`).
 */
(function () {
  "use strict";

  var KEY = "lytt:queue";
  var config = document.getElementById("lytt-queue-data");
  var positions = window.lyttPositions;
  if (!config || !positions || !window.fetch || !window.Promise) return;
  var text = config.dataset;
  var player = window.LyttPlayer || null;
  var root = document.getElementById("lytt-player");
  var panel = document.getElementById("lytt-queue");
  var opener = root ? root.querySelector(".player__queue") : null;
  var items = []; // the queue as drawn: [{id, title, show, url, src, artwork, duration, known}]
  var answered = []; // the queue as last answered, by the account or this browser's storage
  var unanswered = []; // changes made here and drawn at once whose answers are still to come, oldest first
  var pending = Promise.resolve();
  var drawn = null; // what the views show (JSON of `items`), so an answer that changes nothing redraws nothing
  var drag = null;

  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.id = "lytt-queue-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  document.body.appendChild(status);

  function say(message) {
    status.textContent = ""; // emptied first, so the same message twice is announced twice
    window.setTimeout(function () { status.textContent = message; }, 50);
  }
  function fill(template, values) {
    return Object.keys(values).reduce(function (result, key) {
      return result.replace("{" + key + "}", values[key]);
    }, String(template || ""));
  }
  function signedIn() { return !!document.body.dataset.progressUrl; }
  function playingId() { var episode = player && player.current(); return episode ? String(episode.id) : null; }

  // ---- the queue in this browser (signed out) ----------------------------------------------------------
  function valid(item) { return item && typeof item.id === "string" && /^\d+$/.test(item.id) && item.src; }
  function readLocal() {
    try {
      var list = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(list) ? list.filter(valid) : [];
    } catch (e) { return []; }
  }
  function writeLocal(list) {
    try {
      if (list.length) localStorage.setItem(KEY, JSON.stringify(list.map(function (item) {
        return { id: item.id, title: item.title, show: item.show, url: item.url, src: item.src, artwork: item.artwork, duration: item.duration };
      })));
      else localStorage.removeItem(KEY);
    } catch (e) { /* private mode or full: the queue lasts for this page only */ }
    return list;
  }
  function without(list, id) { return list.filter(function (item) { return item.id !== id; }); }
  function withEpisode(list, episode, where, playing) {
    var rest = without(list, episode.id);
    if (where === "last") return rest.concat([episode]);
    var after = playing && playing !== episode.id && rest.length && rest[0].id === playing ? 1 : 0;
    return rest.slice(0, after).concat([episode], rest.slice(after));
  }
  function ids(list) { return list.map(function (item) { return item.id; }); }
  /* The list with `id` moved to place `where.to`, or right before `where.before` or else right after
   * `where.after` while that neighbour is in it (lytt.accounts.listening.queue_moved). */
  function placed(list, id, where) {
    var item = list.filter(function (i) { return i.id === id; })[0];
    if (!item) return list;
    var rest = without(list, id);
    var to = where.to;
    if (where.before && ids(rest).indexOf(where.before) >= 0) to = ids(rest).indexOf(where.before);
    else if (where.after && ids(rest).indexOf(where.after) >= 0) to = ids(rest).indexOf(where.after) + 1;
    to = Math.max(0, Math.min(to, rest.length));
    return rest.slice(0, to).concat([item], rest.slice(to));
  }

  // ---- the account's queue (signed in) -----------------------------------------------------------------
  function answer(response) {
    if (!response.ok) throw new Error("queue: HTTP " + response.status);
    return response.json().then(function (data) { return data.episodes.map(normal); });
  }
  function normal(item) { item.id = String(item.id); return item; }
  function fetchQueue() {
    return fetch(text.json, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(answer);
  }
  function post(url, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (key) { if (fields[key] !== null && fields[key] !== undefined) body.set(key, fields[key]); });
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": positions.csrfToken() },
      body: body,
    }).then(answer);
  }

  /* Each change resolves to the new queue, from the account or this browser. Changes run one at a time. */
  var change = {
    load: function () { return signedIn() ? fetchQueue() : Promise.resolve(readLocal()); },
    add: function (episode, where, playing) {
      if (signedIn()) return post(text.add, { episode: episode.id, where: where, playing: playing });
      return Promise.resolve(writeLocal(withEpisode(readLocal(), episode, where, playing)));
    },
    move: function (id, where) {
      if (signedIn()) return post(text.move, { episode: id, to: where.to, before: where.before, after: where.after });
      return Promise.resolve(writeLocal(placed(readLocal(), id, where)));
    },
    remove: function (id) {
      if (signedIn()) return post(text.remove, { episode: id });
      return Promise.resolve(writeLocal(without(readLocal(), id)));
    },
    clear: function () {
      if (signedIn()) return post(text.clear, {});
      return Promise.resolve(writeLocal([]));
    },
  };
  /* Changes are sent one at a time, in the order they were made, and each resolves to the queue as drawn
   * after its answer. A change with a `local` form is drawn (and announced) at once and stays drawn over
   * every answer until its own comes: an earlier read or change answers with a queue that knows nothing
   * of it, and drawing that alone would undo it on screen, so that the next key press, on a slow phone,
   * would start from the old order and the server would end in another order than the one shown. */
  function run(name, args, local, announce) {
    var step = local ? { local: local } : null;
    if (step) {
      unanswered.push(step);
      redraw();
      if (announce) say(announce(items));
    }
    var task = function () {
      return change[name].apply(null, args || []).then(function (list) {
        answered = list;
        settle(step);
        if (announce && !step) say(announce(items));
        return items;
      }, function (error) {
        settle(step);
        throw error;
      });
    };
    pending = pending.then(task, task);
    return pending.catch(function () {
      say(text.i18nFailed);
      return name === "load" ? items : refresh(); // a read that failed waits for the next: no loop offline
    });
  }
  function settle(step) {
    if (step) unanswered.splice(unanswered.indexOf(step), 1);
    redraw();
  }
  function redraw() {
    items = unanswered.reduce(function (list, step) { return step.local(list); }, answered);
    if (JSON.stringify(items) !== drawn) render();
  }
  function refresh() { return run("load"); }

  /* Signed-out queue carried into the account: once signed in, post it and forget it here. */
  function carry() {
    var local = readLocal();
    if (!signedIn() || !local.length) return Promise.resolve();
    return post(text.carry, { episodes: local.map(function (item) { return item.id; }).join(",") })
      .then(function (list) { writeLocal([]); answered = list; redraw(); })
      .catch(function () { /* tried again at the next page load */ });
  }

  // ---- drawing -----------------------------------------------------------------------------------------
  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content) node.textContent = content;
    return node;
  }
  function button(action, symbol, label, disabled) {
    var node = element("button", "queue-item__" + action, symbol);
    node.type = "button";
    node.dataset.action = action;
    node.setAttribute("aria-label", label);
    node.title = label;
    if (disabled) node.setAttribute("aria-disabled", "true");
    return node;
  }
  function knownMark(item) {
    var known = item.known ? { position: item.known.position, at: Date.parse(item.known.at), done: item.known.finished } : null;
    return positions.newest(known, positions.local(item.id));
  }
  function detail(item, playing) {
    var marks = document.getElementById("lytt-marks");
    var parts = [playing ? text.i18nPlaying : "", item.show || ""];
    var mark = knownMark(item);
    if (playing) return parts.filter(Boolean).join(" · ");
    if (mark && marks && mark.done) parts.push(marks.dataset.played);
    else if (mark && marks && mark.position > 0 && item.duration > mark.position) {
      parts.push(marks.dataset.left.replace("{n}", String(Math.max(1, Math.round((item.duration - mark.position) / 60)))));
    }
    return parts.filter(Boolean).join(" · ");
  }
  function entry(item, index, count) {
    var playing = item.id === playingId();
    var li = element("li", "queue-item" + (playing ? " is-playing" : ""));
    li.dataset.episodeId = item.id;
    var handle = button("handle", "⠿", item.title + ": " + text.i18nDrag);
    li.appendChild(handle);
    var words = element("div", "queue-item__text");
    var link = element("a", "queue-item__title", item.title);
    link.href = item.url || "#";
    words.appendChild(link);
    words.appendChild(element("span", "queue-item__show", detail(item, playing)));
    li.appendChild(words);
    var actions = element("div", "queue-item__actions");
    actions.appendChild(button("play", "▶", text.i18nPlay + ": " + item.title));
    actions.appendChild(button("up", "↑", text.i18nMoveUp + ": " + item.title, index === 0));
    actions.appendChild(button("down", "↓", text.i18nMoveDown + ": " + item.title, index === count - 1));
    actions.appendChild(button("remove", "✕", text.i18nRemove + ": " + item.title));
    li.appendChild(actions);
    return li;
  }
  function draw(view) {
    var focused = document.activeElement && view.contains(document.activeElement) ? document.activeElement : null;
    var focusItem = focused && focused.closest(".queue-item");
    var again = focusItem ? { id: focusItem.dataset.episodeId, action: focused.dataset.action || "handle" } : null;
    var wasClear = focused && focused.dataset.action === "clear";
    view.textContent = "";
    if (!items.length) {
      var empty = element("p", "queue-empty", text.i18nEmpty);
      empty.tabIndex = -1;
      view.appendChild(empty);
      if (focused) empty.focus();
      return;
    }
    var list = element("ol", "queue-list");
    list.setAttribute("aria-label", text.i18nList);
    items.forEach(function (item, index) { list.appendChild(entry(item, index, items.length)); });
    view.appendChild(list);
    var clear = button("clear", text.i18nClear, text.i18nClear);
    clear.className = "queue-clear";
    view.appendChild(clear);
    if (wasClear) clear.focus();
    else if (again) {
      var target = list.querySelector('[data-episode-id="' + again.id + '"] [data-action="' + again.action + '"]');
      if (!target) target = list.querySelector('[data-action="' + again.action + '"]') || list.querySelector("[data-action]");
      if (target) target.focus();
    }
  }
  function render() {
    if (drag) return; // not under the pointer: the drag's end draws
    drawn = JSON.stringify(items);
    document.querySelectorAll("[data-queue-view]").forEach(draw);
    if (opener) {
      opener.hidden = false;
      opener.querySelector(".player__queue-count").textContent = items.length ? "(" + items.length + ")" : "";
    }
  }

  // ---- the queue's own controls ------------------------------------------------------------------------
  function itemOf(node) {
    var li = node.closest(".queue-item");
    var id = li && li.dataset.episodeId;
    return items.filter(function (item) { return item.id === id; })[0] || null;
  }
  function placeOf(item) { return ids(items).indexOf(item.id); }
  /* To place `to` as drawn, sent with the neighbour passed over, which another tab or device may have
   * moved away from that place meanwhile. */
  function moveTo(item, to) {
    var from = placeOf(item);
    if (from < 0 || to < 0 || to >= items.length || to === from) return;
    var order = placed(items, item.id, { to: to });
    place(item, to < from ? { to: to, before: order[to + 1].id } : { to: to, after: order[to - 1].id });
  }
  function place(item, where) {
    run("move", [item.id, where], function (list) { return placed(list, item.id, where); }, function (list) {
      return fill(text.i18nMoved, { title: item.title, place: ids(list).indexOf(item.id) + 1, count: list.length });
    });
  }
  function playItem(item) {
    if (!player || !item.src) return;
    var mark = knownMark(item);
    var episode = { id: item.id, src: item.src, title: item.title, show: item.show || "", url: item.url, artwork: item.artwork || "", duration: Number(item.duration) || 0, known: mark };
    // Played from the queue, it heads the queue while it plays, and leaves it when it ends.
    if (placeOf(item) > 0) moveTo(item, 0);
    player.play(episode);
  }

  document.addEventListener("click", function (event) {
    var control = event.target.closest && event.target.closest("[data-queue-view] [data-action]");
    if (!control) return;
    var action = control.dataset.action;
    if (action === "clear") { run("clear", [], function () { return []; }, function () { return text.i18nCleared; }); return; }
    var item = itemOf(control);
    if (!item || control.getAttribute("aria-disabled") === "true") return;
    if (action === "play") playItem(item);
    else if (action === "up") moveTo(item, placeOf(item) - 1);
    else if (action === "down") moveTo(item, placeOf(item) + 1);
    else if (action === "remove") {
      run("remove", [item.id], function (list) { return without(list, item.id); }, function () {
        return fill(text.i18nRemoved, { title: item.title });
      });
    }
  });
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    var item = event.target.closest && event.target.closest("[data-queue-view] .queue-item") && itemOf(event.target);
    if (!item) return;
    event.preventDefault();
    moveTo(item, placeOf(item) + (event.key === "ArrowUp" ? -1 : 1));
  });

  /* Dragging by the handle, with a mouse, pen or finger: the entry follows the pointer among its siblings
   * and is moved to where it is let go. */
  document.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest && event.target.closest("[data-queue-view] [data-action=handle]");
    if (!handle || event.button !== 0) return;
    var li = handle.closest(".queue-item");
    drag = { li: li, list: li.parentNode, item: itemOf(li), from: Array.prototype.indexOf.call(li.parentNode.children, li), handle: handle };
    if (!drag.item) { drag = null; return; }
    try { handle.setPointerCapture(event.pointerId); } catch (e) { /* synthetic pointer */ }
    li.classList.add("is-dragging");
    event.preventDefault();
  });
  document.addEventListener("pointermove", function (event) {
    if (!drag) return;
    var others = Array.prototype.filter.call(drag.list.children, function (node) { return node !== drag.li; });
    var before = others.filter(function (node) {
      var box = node.getBoundingClientRect();
      return event.clientY > box.top + box.height / 2;
    }).length;
    var anchor = others[before] || null;
    if (drag.li.nextSibling !== anchor) drag.list.insertBefore(drag.li, anchor);
  });
  function endDrag(cancelled) {
    if (!drag) return;
    var done = drag;
    drag = null;
    done.li.classList.remove("is-dragging");
    var to = Array.prototype.indexOf.call(done.list.children, done.li);
    var next = done.li.nextElementSibling;
    var previous = done.li.previousElementSibling;
    drawn = null; // the entry was moved by hand: draw again even if the queue is as it was
    if (cancelled || to === done.from) { render(); return; }
    // The neighbours it was dropped between, as the listener saw them: answers that came during the drag
    // are drawn only now.
    place(done.item, to < done.from ? { to: to, before: next.dataset.episodeId } : { to: to, after: previous.dataset.episodeId });
  }
  document.addEventListener("pointerup", function () { endDrag(false); });
  document.addEventListener("pointercancel", function () { endDrag(true); });

  // ---- rows: "Play next" and "Add to queue" ------------------------------------------------------------
  /* What the row's play button (or the episode page's player box) carries, for the browser's queue. */
  function rowEpisode(box) {
    var id = box.dataset.episodeId;
    var source = box.querySelector("[data-play-episode]") ||
      document.querySelector('.episode-player[data-episode="' + id + '"]');
    if (!source || !source.dataset.src) return null;
    var data = source.dataset;
    return { id: String(id), title: data.title || "", show: data.show || "", url: data.url || "", src: data.src, artwork: data.artwork || "", duration: Number(data.duration) || 0, known: null };
  }
  function titleSuffix(node, title) {
    if (!title || node.querySelector(".visually-hidden")) return;
    var hidden = element("span", "visually-hidden", ": " + title);
    node.appendChild(hidden);
  }
  function drawRow(box) {
    if (box.closest("[data-queue-view]")) return;
    var episode = rowEpisode(box);
    var form = box.querySelector(".queue-form");
    if (!form && (signedIn() || !episode || box.querySelector(".queue-buttons"))) return;
    if (!form) {
      form = element("span", "queue-buttons");
      [["next", text.i18nPlayNext], ["last", text.i18nAdd]].forEach(function (pair) {
        var add = element("button", "link-button queue-form__" + pair[0], pair[1]);
        add.type = "button";
        add.name = "where";
        add.value = pair[0];
        form.appendChild(add);
      });
      box.appendChild(form);
    }
    form.querySelectorAll("button").forEach(function (add) { titleSuffix(add, episode ? episode.title : ""); });
  }
  function drawRows(scope) { (scope || document).querySelectorAll(".row-actions[data-episode-id]").forEach(drawRow); }

  function addFromRow(box, where) {
    var episode = rowEpisode(box) || { id: box.dataset.episodeId, title: "" };
    var title = episode.title || "";
    var playing = playingId();
    var local = episode.src ? function (list) { return withEpisode(list, episode, where, playing); } : null;
    run("add", [episode, where, playing], local, function () {
      return fill(where === "next" ? text.i18nAddedNext : text.i18nAddedLast, { title: title });
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("queue-form") || event.defaultPrevented) return;
    event.preventDefault();
    var where = event.submitter && event.submitter.value === "next" ? "next" : "last";
    addFromRow(form.closest(".row-actions"), where);
  });
  document.addEventListener("click", function (event) {
    var add = event.target.closest && event.target.closest(".queue-buttons button");
    if (add) addFromRow(add.closest(".row-actions"), add.value === "next" ? "next" : "last");
  });

  // ---- the panel ---------------------------------------------------------------------------------------
  function openPanel(open) {
    if (!panel || !opener) return;
    panel.hidden = !open;
    opener.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var more = root.querySelector('.player__more[aria-expanded="true"]');
      if (more) more.click();
      refresh();
      panel.querySelector(".queue-panel__title").setAttribute("tabindex", "-1");
      panel.querySelector(".queue-panel__title").focus();
    }
  }
  if (opener && panel) {
    opener.addEventListener("click", function () { openPanel(panel.hidden); });
    panel.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      event.preventDefault();
      openPanel(false);
      opener.focus();
    });
    var more = root.querySelector(".player__more");
    if (more) more.addEventListener("click", function () { if (!panel.hidden) openPanel(false); });
  }

  // ---- playing on --------------------------------------------------------------------------------------
  /* The episode `finished` leaves the queue; then, unless told to stop, the first queued episode plays. */
  function playOn(finished, stop) {
    return run("remove", [finished], function (list) { return without(list, finished); }).then(function (list) {
      var next = (list || []).filter(function (item) { return item.id !== finished && item.src; })[0];
      if (stop || !next || !player) return false;
      say(fill(text.i18nAdvance, { title: next.title }));
      playItem(next);
      return true;
    });
  }
  if (player) {
    player.audio.addEventListener("ended", function () {
      var finished = playingId();
      if (finished) playOn(finished, player.sleepAtEnd); // read now: the sleep timer resets it after `ended`
    });
    if (player.offerStep) {
      player.offerStep("queue", function () {
        var current = playingId();
        if (!current || !items.some(function (item) { return item.id !== current && item.src; })) return false;
        playOn(current, false);
        return true;
      });
    }
    document.addEventListener("lytt:episode", render);
  }

  // ---- start, and reading again ------------------------------------------------------------------------
  document.addEventListener("lytt:page", function (event) {
    drawRows(event.detail && event.detail.main);
    render(); // into the new page's views at once, even if the answer changes nothing
    refresh();
  });
  document.addEventListener("lytt:rows", function (event) { drawRows(event.detail && event.detail.list); });
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") refresh(); });
  window.addEventListener("storage", function (event) { if (event.key === KEY && !signedIn()) refresh(); });
  drawRows(document);
  pending = carry();
  refresh();
})();
