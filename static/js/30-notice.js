// Notices: a form marked data-busy (DING) can be sent once. Its button is
// disabled as soon as it is tapped and says what is happening, so a second
// tap cannot send it again. The form's fields travel in hidden inputs, so
// disabling the button loses nothing.
(function () {
  "use strict";
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var busy = form.getAttribute && form.getAttribute("data-busy");
    if (!busy || evt.defaultPrevented) { return; }
    var button = form.querySelector("button[type=submit]");
    if (!button) { return; }
    if (form.getAttribute("data-sent") === "1") {
      evt.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "1");
    window.setTimeout(function () {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      button.textContent = busy;
    }, 0);
  });
})();

// The compose form: the count of who a notice will reach, which htmx
// swaps in under the groups as they are ticked, is repeated beside 发布.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function () {
    var line = document.getElementById("audience");
    var confirm = document.getElementById("audience-confirm");
    if (!line || !confirm) { return; }
    confirm.textContent = line.getAttribute("data-count") === "true" ? line.textContent : "";
  });
})();
