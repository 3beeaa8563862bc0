// Check-in page: read a ticket's QR code with the phone's camera where the browser offers
// the BarcodeDetector API; otherwise (and always) the code can be typed. The page works
// without this script.
(function () {
  "use strict";
  var form = document.getElementById("checkin-code-form");
  var scanButton = document.getElementById("checkin-scan");
  var scanner = document.getElementById("checkin-scanner");
  var video = document.getElementById("checkin-video");
  var status = document.getElementById("checkin-scanner-status");
  var stopButton = document.getElementById("checkin-scanner-stop");
  if (!form || !scanButton || !scanner || !video) return;
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia) return;

  var detector = null;
  var stream = null;
  var timer = null;

  function stop() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    scanner.hidden = true;
    scanButton.hidden = false;
  }

  function found(value) {
    var input = form.querySelector("input[name=code]");
    input.value = value.trim();
    status.textContent = status.dataset.reading;
    stop();
    form.submit();
  }

  function scan() {
    detector.detect(video).then(function (codes) {
      if (codes.length && codes[0].rawValue) { found(codes[0].rawValue); return; }
      timer = window.setTimeout(scan, 250);
    }).catch(function () { timer = window.setTimeout(scan, 500); });
  }

  function start() {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        scanner.hidden = false;
        scanButton.hidden = true;
        status.textContent = status.dataset.aim;
        return video.play();
      })
      .then(scan)
      .catch(function () {
        stop();
        status.textContent = status.dataset.noCamera;
        scanner.hidden = false;
      });
  }

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) return;
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    scanButton.hidden = false;
    scanButton.addEventListener("click", start);
    stopButton.addEventListener("click", stop);
  }).catch(function () { /* no scanner: typing works */ });
})();
