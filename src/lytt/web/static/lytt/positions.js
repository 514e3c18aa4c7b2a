/* Lytt play positions: where a listener was in an episode and when, kept in this browser and reported to
 * the account (the progress endpoint, data-progress-url on <body>, present when signed in).
 *
 * A mark is {position: seconds, at: ms since the epoch, done: finished?}. `at` is when the listener was
 * there (playing or seeking), never when a mark was merely loaded or re-sent, so that marks from this
 * browser, the account and the listener's apps can be compared by time: the newest wins. A report says
 * whether the listener moved there on purpose (`deliberate`: a seek, a replay); the server refuses a report
 * behind the newest known position unless it is deliberate (lytt.accounts.progress.accepts).
 * Used by player.js; exposes window.lyttPositions.
 */
(function () {
  "use strict";

  var KEY_POSITION = "lytt:pos:";

  /* A stored value: {"p": s, "t": ms, "d": 1?}; a bare number (older versions) is a position of unknown
   * time, older than any timed mark. */
  function local(id) {
    try {
      var value = JSON.parse(localStorage.getItem(KEY_POSITION + id));
      if (typeof value === "number") return value > 0 ? { position: value, at: 0, done: false } : null;
      if (value && typeof value.p === "number" && typeof value.t === "number") {
        return { position: value.p, at: value.t, done: !!value.d };
      }
    } catch (e) { /* private mode, or not ours */ }
    return null;
  }
  function keep(id, mark) {
    try {
      var value = { p: Math.round(mark.position * 10) / 10, t: mark.at };
      if (mark.done) value.d = 1;
      localStorage.setItem(KEY_POSITION + id, JSON.stringify(value));
    } catch (e) { /* full or private mode: resume simply will not work */ }
  }

  /* The newer of two marks (either may be null); on a tie, `a`. */
  function newest(a, b) {
    if (!a) return b || null;
    if (!b) return a;
    return b.at > a.at ? b : a;
  }

  /* The account's mark as the server rendered it on an element: data-known-position/-at/-finished. */
  function fromData(data) {
    var at = Date.parse(data.knownAt || "");
    if (!data.knownPosition || isNaN(at)) return null;
    return { position: Number(data.knownPosition) || 0, at: at, done: data.knownFinished === "true" };
  }

  function progressUrl() { return document.body.dataset.progressUrl || ""; }

  /* The account's newest mark for an episode; resolves null when signed out, unknown or unreachable. */
  function fromAccount(id) {
    var url = progressUrl();
    if (!url || !window.fetch) return Promise.resolve(null);
    return fetch(url + "?episode=" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || typeof data.position !== "number") return null;
        return { position: data.position, at: Date.parse(data.at), done: !!data.finished };
      })
      .catch(function () { return null; });
  }

  function csrfToken() {
    var match = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function body(report) {
    return JSON.stringify({
      episode: Number(report.episode),
      position: Math.floor(report.mark.position),
      total: report.total || null,
      started: Math.floor(report.started || 0),
      at: new Date(report.mark.at).toISOString(),
      sent: new Date().toISOString(),
      deliberate: !!report.deliberate,
    });
  }

  /* Report a mark to the account. Resolves {ok, newer}: ok when the request went out and was taken (a
   * beacon cannot tell more than that it was queued); `newer` is the account's mark when it kept a newer one.
   * A beacon (for a page being hidden or closed) can set no header: the CSRF token travels as the form field
   * Django reads, csrfmiddlewaretoken, beside the report. */
  function report(data, beacon) {
    var url = progressUrl();
    if (!url) return Promise.resolve({ ok: false, newer: null });
    if (beacon && navigator.sendBeacon) {
      var form = new URLSearchParams();
      form.set("csrfmiddlewaretoken", csrfToken());
      form.set("progress", body(data));
      return Promise.resolve({ ok: navigator.sendBeacon(url, form), newer: null });
    }
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body(data),
    })
      .then(function (response) {
        if (response.status !== 200) return { ok: response.ok, newer: null };
        return response.json().then(function (result) {
          var kept = (result.newer || [])[0];
          return { ok: true, newer: kept ? { position: kept.position, at: Date.parse(kept.at), done: false } : null };
        });
      })
      .catch(function () { return { ok: false, newer: null }; });
  }

  /* "4:05" or "1:02:03": a position as players show it (lytt.web.formatting.format_clock). */
  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  window.lyttPositions = {
    clock: clock,
    local: local,
    keep: keep,
    newest: newest,
    fromData: fromData,
    fromAccount: fromAccount,
    report: report,
    csrfToken: csrfToken,
  };
})();
