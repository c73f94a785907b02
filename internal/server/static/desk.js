// The desk's only script. Plain forms work without it; it adds the live
// preview (rendered by the site's own pipeline on the server) with the
// house-style findings and one-click fixes, rich-text paste, the toolbar,
// autosave with a copy in the browser, the unsaved-changes warning and
// confirmations. Nothing here touches the text while an input method is
// composing.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";

  function setText(el, text) { el.textContent = text; }

  // Confirmations for destructive buttons, and the return note.
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("button") : null;
    if (!b) return;
    if (b.hasAttribute("data-needs-note")) {
      var note = document.getElementById("action-note");
      if (note && !note.value.trim()) {
        e.preventDefault();
        note.setCustomValidity("退回稿件时，请写明需要供稿单位修改什么");
        note.reportValidity();
        note.addEventListener("input", function () { note.setCustomValidity(""); }, { once: true });
        return;
      }
    }
    var msg = b.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  }, true);

  var form = document.querySelector("form.story-form");
  var body = document.getElementById("body");
  if (!form || !body) return;
  var preview = document.getElementById("preview");
  var findings = document.getElementById("findings");
  var findingsCount = document.getElementById("findings-count");
  var chars = document.getElementById("chars");
  var fixall = document.getElementById("fixall");
  var status = document.getElementById("autosave-status");
  var composing = false, timer = 0, seq = 0, last = null, previews = 0;

  // ---- Live preview and findings --------------------------------------

  // sentenceAt is the sentence of text around [start, end), for a finding.
  function sentenceAt(text, start, end) {
    var stops = "。！？!?\n";
    var a = start, z = end;
    while (a > 0 && stops.indexOf(text.charAt(a - 1)) < 0 && start - a < 60) a--;
    while (z < text.length && stops.indexOf(text.charAt(z)) < 0 && z - end < 60) z++;
    if (z < text.length && text.charAt(z) !== "\n") z++;
    return { before: text.slice(a, start), hit: text.slice(start, end), after: text.slice(end, z) };
  }

  function visible(s) {
    return s.replace(/ /g, "空格").replace(/\u3000/g, "全角空格").replace(/\t/g, "制表符");
  }

  function applyFix(f) {
    var v = body.value;
    if (v.slice(f.start, f.end) === f.original) {
      body.value = v.slice(0, f.start) + f.suggestion + v.slice(f.end);
    } else if (last) {
      body.value = last.fixed;
    }
    changed();
    schedule(0);
  }

  function render(res) {
    preview.innerHTML = res.html; // escaped and sanitised by the server's renderer
    // A photo put in the text (![说明](1.jpg)) is shown from the desk.
    var photoBase = form.getAttribute("data-photos");
    Array.prototype.forEach.call(preview.querySelectorAll("img"), function (img) {
      var src = img.getAttribute("src") || "";
      if (photoBase && /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(src)) img.setAttribute("src", photoBase + src);
    });
    previews++;
    preview.setAttribute("data-previews", String(previews));
    setText(chars, "共 " + res.chars + " 字");
    findings.innerHTML = "";
    var total = res.findingsTotal || res.findings.length;
    setText(findingsCount, total ? "（" + total + " 处）" : "");
    if (!res.findings.length) {
      var ok = document.createElement("li");
      ok.className = "ok";
      setText(ok, "没有发现版式问题");
      findings.appendChild(ok);
    }
    var text = body.value;
    res.findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "finding";
      li.dataset.rule = f.rule;
      var s = sentenceAt(text, f.start, f.end);
      var q = document.createElement("q");
      q.appendChild(document.createTextNode(s.before));
      var mark = document.createElement("mark");
      setText(mark, visible(s.hit) || "（此处）");
      q.appendChild(mark);
      q.appendChild(document.createTextNode(s.after));
      var msg = document.createElement("span");
      setText(msg, f.message + (f.fixable ? "：“" + visible(f.original) + "”改为“" + visible(f.suggestion) + "”" : ""));
      li.appendChild(msg);
      li.appendChild(document.createElement("br"));
      li.appendChild(q);
      var go = document.createElement("button");
      go.type = "button";
      go.className = "small";
      setText(go, "定位");
      go.addEventListener("click", function () {
        body.focus();
        body.setSelectionRange(f.start, f.end);
      });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(go);
      if (f.fixable) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "fix small";
        setText(b, "修正");
        b.addEventListener("click", function () { applyFix(f); });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(b);
      }
      findings.appendChild(li);
    });
    if (total > res.findings.length) {
      // The server lists the first ones only; "一键修正全部" fixes them all.
      var more = document.createElement("li");
      more.className = "muted";
      setText(more, "另有 " + (total - res.findings.length) + " 处未列出。请先修改上面这些" +
        (res.fixableTotal ? "，或点“一键修正全部”一次改正所有可自动修正的问题" : "") + "。");
      findings.appendChild(more);
    }
    fixall.hidden = !(res.fixableTotal || res.findings.some(function (f) { return f.fixable; }));
  }

  function update() {
    if (composing) return;
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

  fixall.addEventListener("click", function () {
    if (last) { body.value = last.fixed; changed(); schedule(0); }
  });

  // ---- Toolbar ----------------------------------------------------------

  var toolbar = form.querySelector(".toolbar");
  if (toolbar) toolbar.hidden = false;

  function lineBounds(v, pos) {
    var a = v.lastIndexOf("\n", pos - 1) + 1;
    var z = v.indexOf("\n", pos);
    return [a, z < 0 ? v.length : z];
  }

  function replaceRange(a, z, text, selA, selZ) {
    body.focus();
    body.setSelectionRange(a, z);
    // execCommand keeps the browser's undo history; fall back otherwise.
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      body.setRangeText(text, a, z, "end");
    }
    if (selA !== undefined) body.setSelectionRange(selA, selZ);
    changed();
    schedule(300);
  }

  if (toolbar) toolbar.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-tool]");
    if (!b || composing) return;
    var v = body.value, s = body.selectionStart, z = body.selectionEnd;
    switch (b.getAttribute("data-tool")) {
      case "heading":
        var lb = lineBounds(v, s), line = v.slice(lb[0], lb[1]);
        var plain = line.replace(/^#+\s*/, "");
        replaceRange(lb[0], lb[1], line === plain ? "## " + plain : plain);
        break;
      case "bold":
        var sel = v.slice(s, z) || "加粗的文字";
        replaceRange(s, z, "**" + sel + "**", s + 2, s + 2 + sel.length);
        break;
      case "photo":
        var fields = form.querySelectorAll("input[data-photo]");
        if (!fields.length) return;
        var pick = fields[0];
        if (fields.length > 1) {
          var names = Array.prototype.map.call(fields, function (f, i) { return (i + 1) + "．" + (f.value || f.getAttribute("data-photo")); });
          var k = parseInt(window.prompt("插入第几张照片？\n" + names.join("\n"), "1"), 10);
          if (!(k >= 1 && k <= fields.length)) return;
          pick = fields[k - 1];
        }
        var lb2 = lineBounds(v, z);
        var img = "![" + (pick.value || "照片") + "](" + pick.getAttribute("data-photo") + ")";
        replaceRange(lb2[1], lb2[1], (lb2[1] > lb2[0] ? "\n" : "") + img + "\n");
        break;
      case "preview":
        var ed = document.getElementById("editor");
        var on = ed.classList.toggle("show-preview");
        b.setAttribute("aria-pressed", on ? "true" : "false");
        break;
    }
  });

  // ---- Paste: rich text becomes paragraphs and subheads -----------------

  var blockTags = /^(P|DIV|LI|H[1-6]|BLOCKQUOTE|TR|SECTION|ARTICLE|HEADER|FOOTER|PRE|TABLE|UL|OL|DL|DT|DD)$/;

  function isBold(el) {
    if (/^(B|STRONG)$/.test(el.tagName)) return true;
    var w = el.style && el.style.fontWeight;
    return w === "bold" || w === "bolder" || parseInt(w, 10) >= 600;
  }

  // allBold reports whether every non-blank text of el is inside bold.
  function allBold(el, inBold) {
    var any = false;
    for (var n = el.firstChild; n; n = n.nextSibling) {
      if (n.nodeType === 3) {
        if (n.nodeValue.trim()) { if (!inBold) return false; any = true; }
      } else if (n.nodeType === 1) {
        var r = allBold(n, inBold || isBold(n));
        if (r === false) return false;
        if (r) any = true;
      }
    }
    return any ? true : null;
  }

  function htmlToText(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var out = [], cur = "";
    function flush(asHeading) {
      var t = cur.replace(/[ \t\u00a0\r\n]+/g, " ").trim();
      cur = "";
      if (!t) return;
      out.push(asHeading ? "## " + t.replace(/^#+\s*/, "") : t);
    }
    function walk(node) {
      for (var n = node.firstChild; n; n = n.nextSibling) {
        if (n.nodeType === 3) { cur += n.nodeValue; continue; }
        if (n.nodeType !== 1) continue;
        var tag = n.tagName;
        if (/^(SCRIPT|STYLE|HEAD|TITLE|META|LINK|IMG|svg)$/i.test(tag)) continue;
        if (tag === "BR") { flush(false); continue; }
        if (blockTags.test(tag)) {
          flush(false);
          var text = n.textContent.replace(/\s+/g, " ").trim();
          var heading = /^H[1-6]$/.test(tag) ||
            (/^(P|DIV)$/.test(tag) && text.length > 0 && text.length <= 40 && !/[。！？；]$/.test(text) && allBold(n, isBold(n)) === true && !n.querySelector("p,div,br"));
          if (heading) { cur = text; flush(true); continue; }
          walk(n);
          flush(false);
          continue;
        }
        walk(n);
      }
    }
    walk(doc.body);
    flush(false);
    return out.join("\n");
  }

  body.addEventListener("paste", function (e) {
    if (composing || !e.clipboardData) return;
    var html = e.clipboardData.getData("text/html");
    var text;
    if (html) {
      text = htmlToText(html);
    } else {
      text = e.clipboardData.getData("text/plain");
      if (!text) return;
      // Blank lines between paragraphs are not needed: one line, one paragraph.
      text = text.replace(/\r\n?/g, "\n").replace(/\n[ \t\u3000]*\n+/g, "\n").replace(/^[ \t\u3000]+/gm, "");
    }
    e.preventDefault();
    replaceRange(body.selectionStart, body.selectionEnd, text);
  });

  // ---- Dirty state, autosave and the browser copy ----------------------

  var key = form.getAttribute("data-autosave");
  var storeKey = key ? "banmian:draft:" + key : "";
  var serverSave = form.hasAttribute("data-autosave-server");
  var dirty = false, saveTimer = 0, saving = false, leaving = false;
  var textFields = ["kicker", "title", "subtitle", "body", "tags"];

  function snapshot() {
    var o = { at: Date.now() };
    textFields.forEach(function (n) { var el = form.elements[n]; if (el) o[n] = el.value; });
    return o;
  }

  function say(text) { if (status) setText(status, text); }

  function keepLocal() {
    if (!storeKey) return;
    try { window.localStorage.setItem(storeKey, JSON.stringify(snapshot())); } catch (err) { /* private mode: the server copy still counts */ }
  }

  function dropLocal() {
    if (!storeKey) return;
    try { window.localStorage.removeItem(storeKey); } catch (err) { /* nothing kept */ }
  }

  function autosave() {
    if (composing || saving || !dirty) return;
    keepLocal();
    if (!serverSave) { say("已在本机浏览器保存一份副本"); return; }
    var fd = new FormData(form);
    fd.delete("photo");
    fd.delete("mdfile");
    fd.delete("caption");
    fd.set("do", "save");
    saving = true;
    say("正在自动保存…");
    var sent = snapshot();
    fetch(form.action, {
      method: "POST", credentials: "same-origin", body: fd,
      headers: { "Accept": "application/json" }
    }).then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); }).then(function (res) {
      saving = false;
      if (!res.ok) { say("自动保存失败：" + (res.j.error || "请手动保存")); return; }
      var rev = document.getElementById("rev");
      if (rev && res.j.rev) rev.value = String(res.j.rev);
      var now = snapshot();
      if (textFields.every(function (n) { return now[n] === sent[n]; })) { dirty = false; dropLocal(); }
      var d = new Date();
      say("已自动保存 " + ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2) + ":" + ("0" + d.getSeconds()).slice(-2));
      form.setAttribute("data-saved", String(res.j.rev));
    }).catch(function () { saving = false; say("自动保存失败，网络不通；内容已在本机浏览器保存"); });
  }

  function changed() {
    dirty = true;
    clearTimeout(saveTimer);
    if (composing) return;
    saveTimer = setTimeout(autosave, 3000);
  }

  form.addEventListener("input", function (e) {
    if (e.isComposing || composing) { dirty = true; return; }
    changed();
    if (e.target === body) schedule(300);
  });
  form.addEventListener("submit", function () { leaving = true; dropLocal(); });
  window.addEventListener("beforeunload", function (e) {
    if (!dirty || leaving) return;
    keepLocal();
    e.preventDefault();
    e.returnValue = "";
  });

  // A copy left in this browser (a crash, a closed tab) is offered back.
  if (storeKey) {
    var saved = null;
    try { saved = JSON.parse(window.localStorage.getItem(storeKey) || "null"); } catch (err) { saved = null; }
    var cur = snapshot();
    if (saved && textFields.some(function (n) { return saved[n] !== undefined && saved[n] !== cur[n]; })) {
      var bar = document.createElement("div");
      bar.className = "callout restore";
      bar.id = "restore";
      var when = new Date(saved.at);
      var p = document.createElement("p");
      setText(p, "本机浏览器里有一份未保存的内容（" + when.toLocaleString("zh-CN") + "）。");
      var yes = document.createElement("button");
      yes.type = "button"; yes.className = "primary"; setText(yes, "恢复这份内容");
      var no = document.createElement("button");
      no.type = "button"; setText(no, "丢弃");
      yes.addEventListener("click", function () {
        textFields.forEach(function (n) { var el = form.elements[n]; if (el && saved[n] !== undefined) el.value = saved[n]; });
        bar.remove(); changed(); schedule(0);
      });
      no.addEventListener("click", function () { dropLocal(); bar.remove(); });
      bar.appendChild(p); bar.appendChild(yes); bar.appendChild(document.createTextNode(" ")); bar.appendChild(no);
      form.parentNode.insertBefore(bar, form);
    }
  }

  // ---- IME: nothing runs while an input method composes ----------------

  form.addEventListener("compositionstart", function () { composing = true; clearTimeout(saveTimer); });
  form.addEventListener("compositionend", function (e) {
    composing = false;
    changed();
    if (e.target === body) schedule(200);
  });

  // ---- Headlines and captions: the house-style check --------------------

  var heads = form.querySelectorAll(".headline-field, .caption-field");
  var headOut = document.getElementById("headline-findings");
  var headTimer = 0;
  function checkHeads() {
    if (composing || !headOut) return;
    var fields = {};
    Array.prototype.forEach.call(heads, function (el) { if (el.value) fields[el.name] = el.value; });
    fetch("/desk/preview", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify({ body: "", fields: fields })
    }).then(function (r) { return r.json(); }).then(function (res) {
      headOut.innerHTML = "";
      var list = res.fieldFindings || [];
      headOut.hidden = !list.length;
      list.forEach(function (f) {
        var row = document.createElement("span");
        row.className = "finding";
        setText(row, f.label + "：" + f.message + "（“" + visible(f.original) + "”改为“" + visible(f.suggestion) + "”）");
        var b = document.createElement("button");
        b.type = "button"; b.className = "fix small"; setText(b, "修正");
        b.addEventListener("click", function () {
          var el = form.elements[f.field];
          if (el) { el.value = f.fixed; changed(); checkHeads(); }
        });
        row.appendChild(document.createTextNode(" "));
        row.appendChild(b);
        headOut.appendChild(row);
      });
    }).catch(function () {});
  }
  Array.prototype.forEach.call(heads, function (el) {
    el.addEventListener("input", function (e) {
      if (e.isComposing || composing) return;
      clearTimeout(headTimer); headTimer = setTimeout(checkHeads, 400);
    });
  });
  if (heads.length) checkHeads();

  schedule(0);
})();
