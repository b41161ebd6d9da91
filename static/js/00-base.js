// jiaxiao page behaviour: CSRF on htmx requests, sending an expired
// session back to the login page, and confirmations without inline script.
(function () {
  "use strict";
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.headers["X-CSRF-Token"] = csrf();
  });
  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.status === 401) {
      window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    }
  });
  document.addEventListener("submit", function (evt) {
    var msg = evt.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) {
      evt.preventDefault();
    }
  }, true);
})();

// Close the live stream when the page is left. Browsers allow only six
// connections to one site over HTTP/1.1; a page kept in the back-forward
// cache with its stream open would hold one of them.
//
// Catch up after a reconnect. An EventSource that reconnects by itself
// sends the id of the last event it saw (Last-Event-ID); one that failed
// (an error status while the server restarts) is made anew by htmx's SSE
// extension from the sse-connect URL and sends no id, so the last id seen
// goes on that URL. The server sends "reload" when the page missed too much.
(function () {
  "use strict";
  if (!window.htmx || !htmx.createEventSource) { return; }
  var kinds = ["message", "held", "deleted", "removed", "badge", "counts"];
  var sources = [];
  var lastID = "";
  var create = htmx.createEventSource;
  function remember(evt) {
    if (evt.lastEventId) { lastID = evt.lastEventId; }
  }
  htmx.createEventSource = function (url) {
    if (lastID) {
      url += (url.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + encodeURIComponent(lastID);
    }
    var s = create(url);
    kinds.forEach(function (k) { s.addEventListener(k, remember); });
    s.addEventListener("reload", function () {
      s.close();
      window.location.reload();
    });
    sources = sources.filter(function (o) { return o.readyState !== 2; });
    sources.push(s);
    return s;
  };
  window.addEventListener("pagehide", function () {
    sources.forEach(function (s) { s.close(); });
    sources = [];
  });
  window.addEventListener("pageshow", function (evt) {
    if (evt.persisted) { window.location.reload(); }
  });
})();
