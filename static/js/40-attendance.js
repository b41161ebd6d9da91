// The punch page: a clock that ticks on from the server's time (never the
// phone's), where the phone is before punching, and the punch itself.
//
// The school point comes with the page (data-lat, data-lng, data-radius on
// the form), so the page can say 在范围内 or how far out the phone is; the
// server measures again when the punch arrives and its answer is the one
// that counts.
(function () {
  "use strict";

  var clock = document.querySelector(".punch-card .clock");
  var form = document.getElementById("punch-form");

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // The clock: the server's time when the page was made, plus the time
  // since, measured by the page's own monotonic timer.
  if (clock) {
    var base = Number(clock.getAttribute("data-now"));
    var offset = Number(clock.getAttribute("data-offset")) * 1000;
    var started = performance.now();
    var shown = clock.querySelector(".clock-time");
    var now = function () { return base + (performance.now() - started); };
    var tick = function () {
      var t = new Date(now() + offset); // read with the UTC getters: the school's wall time
      shown.textContent = pad(t.getUTCHours()) + ":" + pad(t.getUTCMinutes()) + ":" + pad(t.getUTCSeconds());
      shown.setAttribute("datetime", new Date(now()).toISOString());
      if (form) {
        var at = Number(form.getAttribute("data-switch-at"));
        if (at && now() >= at) {
          // No punch yet and the middle of the day has passed: a first
          // punch now counts as the clock-out.
          form.removeAttribute("data-switch-at");
          document.getElementById("punch-button").textContent = form.getAttribute("data-switch-action");
        }
      }
    };
    tick();
    window.setInterval(tick, 1000);
  }

  if (!form) { return; }
  var status = document.getElementById("punch-status");
  var accuracy = document.getElementById("punch-accuracy");
  var relocate = document.getElementById("relocate");
  var button = document.getElementById("punch-button");
  var noteBox = document.getElementById("punch-note");
  var note = form.elements.note;
  var fence = form.getAttribute("data-fence") === "1";
  var school = fence ? { lat: Number(form.getAttribute("data-lat")), lng: Number(form.getAttribute("data-lng")) } : null;
  var radius = Number(form.getAttribute("data-radius"));
  var maxAccuracy = Number(form.getAttribute("data-max-accuracy")) || 100;
  var outside = false;
  var busy = false;

  // The same formula as the server's (attendance.Haversine).
  function distance(lat1, lng1, lat2, lng2) {
    var r = 6371000, rad = Math.PI / 180;
    var dLat = (lat2 - lat1) * rad, dLng = (lng2 - lng1) * rad;
    var a = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 2 * r * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "loc" + (kind ? " " + kind : "");
  }

  // The note is asked for where the punch will be a field punch; a note
  // already refused by the server stays in view.
  function showNote(needed) {
    var keep = form.hasAttribute("data-note-error") || note.value !== "";
    noteBox.hidden = !needed && !keep;
    note.setAttribute("aria-required", needed ? "true" : "false");
  }

  function noteMissing(metres) {
    var msg = noteBox.querySelector(".field-error");
    if (!msg) {
      msg = document.createElement("small");
      msg.className = "field-error";
      msg.setAttribute("data-testid", "field-error");
      msg.id = "note-error";
      note.closest("label").insertAdjacentElement("afterend", msg);
    }
    msg.textContent = "您在考勤范围外（距学校约 " + metres + " 米），外勤打卡请填写说明";
    note.setAttribute("aria-invalid", "true");
    note.setAttribute("aria-describedby", msg.id);
    note.focus();
  }

  function placed(pos) {
    var c = pos.coords;
    form.elements.lat.value = c.latitude;
    form.elements.lng.value = c.longitude;
    form.elements.accuracy.value = c.accuracy;
    var acc = Math.round(c.accuracy);
    if (acc > maxAccuracy) {
      accuracy.textContent = "定位精度 " + acc + " 米，结果可能不准，建议到室外或打开 Wi-Fi 后重试";
      accuracy.hidden = false;
    } else {
      accuracy.hidden = true;
    }
    if (!school) {
      outside = false;
      say("已定位（学校尚未设置考勤位置，按范围内记录）", "ok");
      showNote(false);
      return 0;
    }
    var m = Math.round(distance(school.lat, school.lng, c.latitude, c.longitude));
    outside = m > radius;
    if (outside) {
      say("距学校 " + m + " 米，超出打卡范围（将记为外勤）", "warn");
    } else {
      say("在范围内（距学校 " + m + " 米）", "ok");
    }
    showNote(outside);
    var asked = document.getElementById("note-error");
    if (!outside && asked) {
      asked.remove(); // the page's own request for a note, no longer needed
      note.removeAttribute("aria-invalid");
      note.removeAttribute("aria-describedby");
    }
    return m;
  }

  function failed(err) {
    form.elements.lat.value = "";
    form.elements.lng.value = "";
    form.elements.accuracy.value = "";
    accuracy.hidden = true;
    if (err && err.code === 1) {
      say("定位失败：没有定位权限。请在浏览器或系统设置里允许本网站使用位置信息，再点“重新定位”。", "error");
    } else {
      say("定位失败：暂时获取不到位置。请到室外或打开 Wi-Fi 后点“重新定位”。", "error");
    }
  }

  function locate(then) {
    if (!navigator.geolocation) {
      say("此浏览器不能定位，无法打卡。请用手机自带的浏览器打开本页。", "error");
      return;
    }
    say("定位中…", "");
    relocate.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      relocate.disabled = false;
      var m = placed(pos);
      if (then) { then(m); }
    }, function (err) {
      relocate.disabled = false;
      failed(err);
      if (then) { busy = false; button.removeAttribute("aria-busy"); button.disabled = false; }
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  }

  relocate.hidden = false;
  relocate.addEventListener("click", function () { locate(null); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !busy) { locate(null); }
  });

  // Punching takes a fresh position, then sends it; the server stamps the
  // time and measures the distance again.
  form.addEventListener("submit", function (evt) {
    evt.preventDefault();
    if (busy) { return; }
    busy = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    locate(function (metres) {
      if (outside && note.value.trim() === "") {
        busy = false;
        button.disabled = false;
        button.removeAttribute("aria-busy");
        noteMissing(metres);
        return;
      }
      form.submit();
    });
  });

  showNote(false);
  locate(null);
})();
