// The desk's only script: the live preview of the story body (rendered by
// the site's own pipeline on the server), the house-style findings with a
// one-click fix, and the reload stream. Plain forms work without it.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";
  var body = document.getElementById("body");
  if (!body) return;
  var preview = document.getElementById("preview");
  var findings = document.getElementById("findings");
  var chars = document.getElementById("chars");
  var fixall = document.getElementById("fixall");
  var composing = false, timer = 0, seq = 0, last = null;

  function setText(el, text) { el.textContent = text; }

  function render(res) {
    preview.innerHTML = res.html; // escaped and sanitised by the server's renderer
    setText(chars, "共 " + res.chars + " 字");
    findings.innerHTML = "";
    if (!res.findings.length) {
      var ok = document.createElement("li");
      ok.className = "ok";
      setText(ok, "没有发现版式问题");
      findings.appendChild(ok);
    }
    res.findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "finding";
      li.dataset.rule = f.rule;
      setText(li, "第 " + f.line + " 行第 " + f.col + " 字：" + f.message + "（" + f.original + (f.suggestion ? " → " + f.suggestion : "") + "）");
      if (f.fixable) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "fix";
        setText(b, "修正");
        b.addEventListener("click", function () {
          var v = body.value;
          if (v.slice(f.start, f.end) === f.original) {
            body.value = v.slice(0, f.start) + f.suggestion + v.slice(f.end);
          } else if (last) {
            body.value = last.fixed;
          }
          schedule(0);
        });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(b);
      }
      findings.appendChild(li);
    });
    fixall.hidden = !res.findings.some(function (f) { return f.fixable; });
  }

  function update() {
    var n = ++seq;
    fetch("/desk/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify({ body: body.value })
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (n !== seq || res.error) return;
      last = res;
      render(res);
    }).catch(function () {});
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(update, delay);
  }

  // IME-safe: no preview while a Chinese input method is composing.
  body.addEventListener("compositionstart", function () { composing = true; });
  body.addEventListener("compositionend", function () { composing = false; schedule(200); });
  body.addEventListener("input", function () { if (!composing) schedule(300); });
  fixall.addEventListener("click", function () {
    if (last) { body.value = last.fixed; schedule(0); }
  });
  schedule(0);
})();
