// The group chat (views/group/feed.templ). It opens at the newest message
// and follows new ones while the reader is at the bottom; scrolling up
// loads older messages (htmx, the "更早的消息" link) keeping the place; the
// composer shows 发送中… and the upload's progress, and says in place why a
// message did not go; the message menu copies text and drops 撤回 when its
// time is up; live messages get their day dividers.
(function () {
  "use strict";
  var log = document.getElementById("messages");
  if (!log || !document.getElementById("feed")) { return; }
  var root = document.scrollingElement || document.documentElement;

  // Following the bottom: true while the reader is at the newest message.
  // Only a move up lets go of it: the page growing under a scroll made here
  // (a photo loading) must not.
  var pinned = true;
  var lastTop = 0;
  function atBottom() { return root.scrollHeight - root.clientHeight - root.scrollTop < 80; }
  function toBottom() { root.scrollTop = root.scrollHeight; lastTop = root.scrollTop; pinned = true; }
  // following reads the position now: a scroll up not yet announced by
  // its event (it comes at the next frame) must not be undone by a
  // message arriving in between.
  function following() {
    var top = root.scrollTop;
    pinned = top < lastTop - 1 ? atBottom() : pinned || atBottom();
    lastTop = top;
    return pinned;
  }
  window.addEventListener("scroll", following, { passive: true });

  // Day dividers: one above the first message of each day. The server
  // renders them for a page; live messages and pages meeting need these.
  function divider(day, label) {
    var li = document.createElement("li");
    li.className = "day";
    li.setAttribute("role", "separator");
    li.setAttribute("data-day", day);
    li.setAttribute("data-testid", "day-divider");
    var span = document.createElement("span");
    span.textContent = label;
    li.appendChild(span);
    return li;
  }
  function nextDay(el) {
    for (var n = el.nextElementSibling; n; n = n.nextElementSibling) {
      if (n.classList.contains("day")) { return null; }
      if (n.hasAttribute("data-day")) { return n.getAttribute("data-day"); }
    }
    return null;
  }
  function fixDays() {
    var last = null;
    var el = log.firstElementChild;
    while (el) {
      var next = el.nextElementSibling;
      if (el.classList.contains("day")) {
        var d = el.getAttribute("data-day");
        if (d === last || nextDay(el) !== d) { el.remove(); }
      } else if (el.hasAttribute("data-day")) {
        var day = el.getAttribute("data-day");
        if (day !== last) {
          var prev = el.previousElementSibling;
          if (!prev || !prev.classList.contains("day") || prev.getAttribute("data-day") !== day) {
            log.insertBefore(divider(day, el.getAttribute("data-day-label") || day), el);
          }
          last = day;
        }
      }
      el = next;
    }
  }

  // 撤回 is offered for a limited time: the server says how long is left
  // when it renders the menu, and refuses after that anyway.
  var deadlines = new WeakMap();
  var ticking = null;
  function expireRecalls() {
    var now = Date.now();
    var left = 0;
    document.querySelectorAll("form[data-recall-left]").forEach(function (f) {
      if (!deadlines.has(f)) { deadlines.set(f, now + Number(f.getAttribute("data-recall-left")) * 1000); }
      if (deadlines.get(f) > now) { left++; return; }
      var menu = f.closest("details.msg-menu");
      f.remove();
      if (menu && !menu.querySelector(".menu-item")) { menu.remove(); }
    });
    if (left > 0 && !ticking) {
      ticking = window.setInterval(expireRecalls, 1000);
    } else if (left === 0 && ticking) {
      window.clearInterval(ticking);
      ticking = null;
    }
  }

  // Older messages: the link at the top asks for them when it comes near
  // the screen; the messages the reader was looking at stay where they were.
  var anchor = null;
  var watcher = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (e) {
      var a = e.target.querySelector("a[hx-get]");
      if (e.isIntersecting && a && !anchor && window.htmx) {
        watcher.unobserve(e.target);
        window.htmx.trigger(a, "feed:older");
      }
    });
  }, { rootMargin: "400px 0px 0px 0px" }) : null;
  function watchOlder() {
    var older = document.getElementById("older");
    if (watcher && older) { watcher.observe(older); }
  }

  // One rendering per message (views/group/feed.templ): what arrives
  // replaces an earlier rendering of the same message; a deletion
  // (data-replace) takes its place, or goes if the page does not show it;
  // data-drop takes it out.
  function settle(li) {
    if (li.nodeType !== 1 || !li.id || li.parentNode !== log) { return; }
    var others = [].filter.call(log.querySelectorAll('[id="' + li.id + '"]'), function (o) { return o !== li; });
    if (li.hasAttribute("data-drop")) {
      others.forEach(function (o) { o.remove(); });
      li.remove();
    } else if (li.hasAttribute("data-replace")) {
      li.removeAttribute("data-replace");
      if (others.length === 0) { li.remove(); return; }
      others[0].replaceWith(li);
      others.slice(1).forEach(function (o) { o.remove(); });
    } else {
      others.forEach(function (o) { o.remove(); });
    }
  }

  // Whatever changes in the list: one rendering per message, dividers,
  // the place kept after older messages came in, the bottom followed.
  new MutationObserver(function (records) {
    records.forEach(function (r) { [].forEach.call(r.addedNodes, settle); });
    fixDays();
    if (anchor && !anchor.loader.isConnected) {
      if (anchor.el.isConnected) {
        root.scrollTop += anchor.el.getBoundingClientRect().top - anchor.top;
      }
      anchor = null;
      watchOlder();
    } else if (!anchor && following()) {
      toBottom();
    }
    expireRecalls();
  }).observe(log, { childList: true });
  if ("ResizeObserver" in window) {
    // Photos load after the page opens, the composer grows with a message
    // or a file: keep the newest message in view.
    new ResizeObserver(function () { if (!anchor && following()) { toBottom(); } }).observe(document.getElementById("feed"));
  }

  // The composer.
  function composer(el) { return el && el.closest ? el.closest('form[data-testid="compose"]') : null; }
  function say(form, text) {
    var alert = form.querySelector('[data-testid="alert-error"]');
    if (!alert) {
      alert = document.createElement("div");
      alert.className = "alert error";
      alert.setAttribute("role", "alert");
      alert.setAttribute("data-testid", "alert-error");
      form.insertBefore(alert, form.querySelector(".compose-row"));
    }
    alert.textContent = text;
  }
  function sending(form, on) {
    var send = form.querySelector('[data-testid="compose-send"]');
    send.disabled = on;
    send.textContent = on ? "发送中…" : "发送";
    form.elements.body.readOnly = on;
    form.setAttribute("aria-busy", on ? "true" : "false");
    if (!on) { form.querySelector(".upload").hidden = true; }
  }
  function mb(n) { return (n / 1048576).toFixed(n < 1048576 ? 2 : 1) + " MB"; }
  function showFile(form) {
    var input = form.elements.file;
    var box = form.querySelector(".compose-file");
    var f = input.files && input.files[0];
    form.querySelector("label.attach").classList.toggle("chosen", !!f);
    box.hidden = !f;
    box.textContent = "";
    if (!f) { return; }
    var name = document.createElement("span");
    name.textContent = "已选：" + f.name + "（" + mb(f.size) + "）";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.textContent = "移除";
    clear.addEventListener("click", function () { input.value = ""; showFile(form); });
    box.appendChild(name);
    box.appendChild(clear);
  }
  // What the server said, from its answer: the composer's message or the
  // error fragment's.
  function reason(xhr, fallback) {
    if (xhr && xhr.responseText) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var el = doc.querySelector('[data-testid="alert-error"], #error p');
      if (el && el.textContent.trim()) { return el.textContent.trim(); }
    }
    return fallback;
  }
  function failure(xhr) {
    var status = xhr ? xhr.status : 0;
    if (status === 413) { return "文件太大，超过了上传限制，请换一个小一点的文件。"; }
    if (status === 0) { return "网络连接中断，消息没有发出，请检查网络后重试。"; }
    if (status >= 500) { return reason(xhr, "服务器暂时出了问题，消息没有发出，请稍后重试。"); }
    return reason(xhr, "消息没有发出，请稍后重试。");
  }
  var refocus = false;

  document.body.addEventListener("change", function (e) {
    var form = composer(e.target);
    if (form && e.target.name === "file") { showFile(form); }
  });
  document.body.addEventListener("input", function (e) {
    var form = composer(e.target);
    if (!form || e.target.name !== "body" || (window.CSS && CSS.supports("field-sizing", "content"))) { return; }
    e.target.rows = Math.min(5, Math.max(1, e.target.value.split("\n").length));
  });
  document.body.addEventListener("keydown", function (e) {
    // On a computer Enter sends and Shift+Enter starts a new line; on a
    // phone the keyboard's Enter is a new line, as in the chat apps.
    var form = composer(e.target);
    if (!form || e.target.name !== "body" || e.key !== "Enter" || e.shiftKey || e.isComposing) { return; }
    if (!window.matchMedia("(hover: hover) and (pointer: fine)").matches) { return; }
    e.preventDefault();
    if (!form.querySelector('[data-testid="compose-send"]').disabled) { form.requestSubmit(); }
  });

  document.body.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    var older = elt.closest && elt.closest("#older");
    if (older) {
      // The oldest message shown stays put (a divider above it may go).
      var first = log.querySelector("li.msg") || older;
      anchor = { loader: older, el: first, top: first.getBoundingClientRect().top };
      elt.setAttribute("aria-busy", "true");
      elt.textContent = "正在加载更早的消息…";
      return;
    }
    var form = composer(elt);
    if (!form) { return; }
    var f = form.elements.file.files && form.elements.file.files[0];
    var max = Number(form.getAttribute("data-max-bytes")) || 0;
    if (f && max && f.size > max) {
      e.preventDefault();
      say(form, "文件“" + f.name + "”有 " + mb(f.size) + "，超过 " + mb(max) + "，不能发送。");
      return;
    }
    if (!f && !form.elements.body.value.trim()) {
      e.preventDefault();
      say(form, "请输入消息内容或选择文件");
      return;
    }
    refocus = document.activeElement === form.elements.body;
    toBottom(); // one's own message is the newest: follow it
    sending(form, true);
  });

  // Upload progress, from the request's own upload events.
  document.body.addEventListener("htmx:beforeSend", function (e) {
    var form = composer(e.detail.elt);
    var xhr = e.detail.xhr;
    if (!form || !xhr || !xhr.upload || !(form.elements.file.files && form.elements.file.files[0])) { return; }
    var box = form.querySelector(".upload");
    var bar = box.querySelector("progress");
    var pct = box.querySelector(".upload-pct");
    bar.value = 0;
    pct.textContent = "上传中 0%";
    box.hidden = false;
    xhr.upload.addEventListener("progress", function (p) {
      if (!p.lengthComputable || !p.total) { return; }
      var n = Math.min(100, Math.floor(p.loaded * 100 / p.total));
      bar.value = n;
      pct.textContent = "上传中 " + n + "%";
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      pct.textContent = "正在处理…";
    });
  });

  // A request that got no swap: say why beside the composer (or in the
  // message's menu), keeping what was typed.
  function failed(e) {
    var elt = e.detail.elt;
    var xhr = e.detail.xhr;
    var form = composer(elt);
    if (form) {
      sending(form, false);
      say(form, e.type === "htmx:timeout" ? "网络太慢，消息没有发出，请稍后重试。" : failure(e.type === "htmx:sendError" ? null : xhr));
      return;
    }
    var menu = elt.closest && elt.closest("details.msg-menu");
    if (menu) {
      menu.querySelector(".menu-note").textContent = reason(xhr, "操作没有成功，请稍后重试。");
      if (xhr && xhr.status === 403 && elt.matches("form[data-recall-left]")) { elt.remove(); }
      return;
    }
    var older = elt.closest && elt.closest("#older");
    if (older) {
      anchor = null;
      elt.removeAttribute("aria-busy");
      elt.textContent = "加载失败，点此重试";
    }
  }
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("htmx:timeout", failed);

  document.body.addEventListener("htmx:load", function (e) {
    var form = e.detail.elt.querySelector ? e.detail.elt.querySelector('form[data-testid="compose"]') : null;
    if (form && refocus) {
      refocus = false;
      form.elements.body.focus();
    }
  });

  // The message menu: one open at a time, closed by a tap elsewhere or Esc.
  function closeMenus(except) {
    document.querySelectorAll("details.msg-menu[open]").forEach(function (d) {
      if (d !== except) { d.open = false; }
    });
  }
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (!d.matches || !d.matches("details.msg-menu")) { return; }
    d.removeAttribute("data-placed");
    if (!d.open) { return; }
    expireRecalls();
    closeMenus(d);
    var note = d.querySelector(".menu-note");
    if (note) { note.textContent = ""; }
    // Open upwards when it would fall behind the composer.
    d.classList.remove("up");
    var pop = d.querySelector(".menu-pop");
    var composerBox = document.getElementById("composer");
    var limit = composerBox ? composerBox.getBoundingClientRect().top : window.innerHeight;
    if (pop && pop.getBoundingClientRect().bottom > limit) { d.classList.add("up"); }
    d.setAttribute("data-placed", "");
  }, true);
  document.addEventListener("click", function (e) {
    if (!e.target.closest("details.msg-menu")) { closeMenus(null); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { closeMenus(null); }
  });

  // 复制: the message's text to the clipboard.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var t = document.createElement("textarea");
      t.value = text;
      t.setAttribute("readonly", "");
      t.className = "sr-only";
      document.body.appendChild(t);
      t.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      t.remove();
      if (ok) { resolve(); } else { reject(new Error("copy")); }
    });
  }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-copy]");
    if (!btn) { return; }
    var msg = document.getElementById(btn.getAttribute("data-copy"));
    var body = msg && msg.querySelector('[data-testid="message-body"]');
    var note = btn.closest(".menu-pop").querySelector(".menu-note");
    if (!body) { return; }
    copyText(body.textContent).then(function () {
      note.textContent = "已复制";
      btn.textContent = "已复制";
      window.setTimeout(function () {
        btn.textContent = "复制";
        var d = btn.closest("details");
        if (d) { d.open = false; }
      }, 1200);
    }, function () {
      note.textContent = "复制失败，请长按文字复制。";
    });
  });

  // The chat's title bar sticks under the site's header, whatever its height.
  var siteHeader = document.querySelector("header.site");
  function measureHeader() {
    if (siteHeader) { document.documentElement.style.setProperty("--site-header-height", siteHeader.offsetHeight + "px"); }
  }
  window.addEventListener("resize", measureHeader);
  measureHeader();

  fixDays();
  expireRecalls();
  toBottom();
  watchOlder();
})();
