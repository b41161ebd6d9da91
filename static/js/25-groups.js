// Group screens: the counts that follow what people do, and the invite
// link's copy button.
(function () {
  "use strict";
  // A "counts" event (SSE) carries one group's numbers as JSON:
  // {"group":5,"members":31,"pending":2}. Every element showing a number
  // of a group (data-count="members|pending", data-group="5") listens to
  // the event with sse-swap="counts"; the one for its group writes its
  // number in, and 0 hides the box around a pending number
  // ([data-count-box]). The swap itself is skipped: the data is numbers,
  // not HTML.
  document.addEventListener("htmx:sseBeforeMessage", function (evt) {
    var el = evt.target;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-count")) { return; }
    evt.preventDefault();
    var d;
    try { d = JSON.parse(evt.detail.data); } catch (e) { return; }
    if (!d || String(d.group) !== el.getAttribute("data-group")) { return; }
    var n = d[el.getAttribute("data-count")];
    if (typeof n !== "number") { return; }
    el.textContent = String(n);
    var box = el.closest("[data-count-box]");
    if (box) { box.hidden = n === 0; }
  });

  // Copy a link to the clipboard: data-copy names the input holding it.
  document.addEventListener("click", function (evt) {
    var b = evt.target.closest ? evt.target.closest("[data-copy]") : null;
    if (!b) { return; }
    var input = document.querySelector(b.getAttribute("data-copy"));
    if (!input) { return; }
    input.select();
    var done = function () { b.textContent = b.getAttribute("data-copied") || "已复制"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
      return;
    }
    try { if (document.execCommand("copy")) { done(); } } catch (e) { /* the text stays selected to copy by hand */ }
  });
})();
