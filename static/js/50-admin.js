// Admin settings: the school point. "使用我的位置" fills the latitude and
// longitude from the phone; "检查我离学校多远" measures from the point in
// the boxes to where the phone is and marks it on the small map (drawn in
// the page: no map service is reachable).
(function () {
  "use strict";
  var box = document.getElementById("school-point");
  if (!box) { return; }
  var lat = document.getElementById("set-school_lat");
  var lng = document.getElementById("set-school_lng");
  var fence = document.getElementById("set-geofence_m");
  var status = document.getElementById("point-status");
  var me = document.getElementById("point-me");
  var caption = document.getElementById("point-map-caption");

  function say(text, kind) {
    status.textContent = text;
    status.className = "muted point-status" + (kind ? " " + kind : "");
  }
  function radius() {
    var r = parseInt(fence && fence.value, 10);
    if (!(r > 0)) { r = parseInt(box.getAttribute("data-geofence"), 10); }
    return r > 0 ? r : 300;
  }
  function point() {
    var a = parseFloat(lat.value), b = parseFloat(lng.value);
    if (isNaN(a) || isNaN(b) || (a === 0 && b === 0)) { return null; }
    return { lat: a, lng: b };
  }
  // Metres east and north of p to q (close enough at a school's scale).
  function offset(p, q) {
    var rad = Math.PI / 180;
    return {
      east: (q.lng - p.lng) * rad * 6371000 * Math.cos(p.lat * rad),
      north: (q.lat - p.lat) * rad * 6371000
    };
  }
  function distance(p, q) {
    var rad = Math.PI / 180, r = 6371000;
    var dLat = (q.lat - p.lat) * rad, dLng = (q.lng - p.lng) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(p.lat * rad) * Math.cos(q.lat * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)));
  }
  function mark(p, q, d) {
    var o = offset(p, q), scale = 100 / radius();
    var x = o.east * scale, y = -o.north * scale, len = Math.sqrt(x * x + y * y);
    if (len > 112) { x = x / len * 112; y = y / len * 112; }
    me.setAttribute("cx", x.toFixed(1));
    me.setAttribute("cy", y.toFixed(1));
    me.setAttribute("visibility", "visible");
    me.setAttribute("class", d > radius() ? "me outside" : "me");
  }
  function locate(done) {
    if (!navigator.geolocation) {
      say("这个浏览器不能定位。请在手机浏览器中打开本页，或手动填写经纬度。", "bad");
      return;
    }
    say("定位中…");
    navigator.geolocation.getCurrentPosition(function (pos) {
      done({ lat: pos.coords.latitude, lng: pos.coords.longitude, accuracy: Math.round(pos.coords.accuracy) });
    }, function (err) {
      if (err && err.code === 1) {
        say("没有定位权限：请在浏览器设置中允许本站使用位置信息，然后再试。", "bad");
      } else {
        say("定位失败：请打开手机定位、到室外开阔处后再试，或手动填写经纬度。", "bad");
      }
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  }

  document.getElementById("use-my-location").addEventListener("click", function () {
    locate(function (here) {
      lat.value = here.lat.toFixed(6);
      lng.value = here.lng.toFixed(6);
      var text = "已填入您现在的位置（定位误差约 " + here.accuracy + " 米）。点“保存设置”后生效。";
      if (here.accuracy > 100) { text += "误差较大，建议到室外开阔处重新定位。"; }
      say(text, here.accuracy > 100 ? "bad" : "ok");
      mark(here, here, 0);
      caption.textContent = "圆心是学校位置（" + lat.value + "，" + lng.value + "），圆圈是 " + radius() + " 米打卡范围（尚未保存）。";
    });
  });

  document.getElementById("check-distance").addEventListener("click", function () {
    var p = point();
    if (!p) {
      say("请先填写学校的纬度和经度，或点“使用我的位置”。", "bad");
      return;
    }
    locate(function (here) {
      var d = Math.round(distance(p, here)), r = radius();
      var where = d <= r ? "在 " + r + " 米打卡范围内" : "在 " + r + " 米打卡范围外";
      say("您现在距离学校位置约 " + d + " 米，" + where + "（定位误差约 " + here.accuracy + " 米）。", d <= r ? "ok" : "bad");
      mark(p, here, d);
    });
  });
})();
