// Measures the laid-out page after the fonts load: for each module the
// lines its body takes in the browser and whether it overflows. Results go
// to window.banmianReport; window.banmianDone resolves when they are there.
(function () {
  "use strict";
  function lineCount(body) {
    var cs = getComputedStyle(body);
    var count = parseInt(body.dataset.columns || "1", 10);
    var gap = parseFloat(cs.columnGap) || 0;
    var box = body.getBoundingClientRect();
    var pitch = (box.width + gap) / count;
    var seen = new Set();
    var range = document.createRange();
    for (var el = body.firstElementChild; el; el = el.nextElementSibling) {
      range.selectNodeContents(el);
      var rects = range.getClientRects();
      for (var i = 0; i < rects.length; i++) {
        var r = rects[i];
        if (r.width < 0.5 || r.height < 0.5) continue;
        var col = Math.floor((r.left - box.left + 2) / pitch);
        seen.add(col + "|" + Math.round(r.top + r.height / 2));
      }
    }
    return seen.size;
  }
  function overflows(el) {
    return !!el && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1);
  }
  function measure() {
    var out = [];
    var modules = document.querySelectorAll(".module");
    for (var i = 0; i < modules.length; i++) {
      var m = modules[i];
      var body = m.querySelector(".body");
      var frame = m.querySelector(".box-frame");
      var res = {
        item: m.dataset.item,
        kind: m.dataset.kind,
        lines: body ? lineCount(body) : 0,
        overflow: overflows(body) || overflows(frame),
        headerOverflow: overflows(m.querySelector(".head"))
      };
      m.dataset.measuredLines = String(res.lines);
      if (res.overflow || res.headerOverflow) {
        m.classList.add("measured-overset");
      }
      out.push(res);
    }
    var list = document.getElementById("measured");
    if (list) {
      list.textContent = "";
      for (var j = 0; j < out.length; j++) {
        var li = document.createElement("li");
        var est = modules[j].dataset.linesNeeded;
        li.textContent = out[j].item + "：" + (est ? "估算 " + est + " 行，" : "") + "浏览器排 " + out[j].lines + " 行" +
          (out[j].overflow || out[j].headerOverflow ? "，溢出" : "，未溢出");
        list.appendChild(li);
      }
    }
    window.banmianReport = out;
    return out;
  }
  window.banmianDone = document.fonts.ready.then(measure);
})();
