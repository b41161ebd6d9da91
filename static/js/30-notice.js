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
