// The edition builder: the page at scale with each module's fit badge,
// updated live from the server's fit report (POST …/fit with the form as
// it stands); reordering by drag or Alt+↑/↓; adding and removing stories
// and boxes; the honour roll as a table (the publish button's
// confirmation is desk.js's data-confirm). Without
// this script the form still saves (order numbers, checkboxes, textareas).
(function () {
  "use strict";
  var builder = document.getElementById("builder");
  if (!builder) return;
  var form = builder.closest("form");
  var placed = document.getElementById("b-placed");
  var pool = document.getElementById("b-pool");
  var pageEl = document.getElementById("b-page");
  var pageFit = document.getElementById("b-pagefit");
  var status = document.getElementById("b-status");
  var newWrap = document.getElementById("b-newbox-wrap");
  var newBox = document.querySelector("#b-newbox .b-item");
  var date = builder.dataset.date;
  document.documentElement.classList.add("b-js");

  // A blank box to clone for 添加荣誉榜; the no-script slot goes.
  var boxTemplate = newBox ? newBox.cloneNode(true) : null;
  if (newWrap) newWrap.remove();

  function items() { return Array.prototype.slice.call(placed.querySelectorAll(":scope > .b-item")); }

  // Order numbers follow the list; stories in the pool are off the page.
  // The page's character count follows the stories on it.
  var pageChars = document.getElementById("page-chars");
  function renumber() {
    var chars = 0;
    items().forEach(function (li, i) {
      chars += Number(li.dataset.chars || 0);
      var o = li.querySelector("input.order");
      if (o) o.value = String(i + 1);
      var place = li.querySelector("input.place");
      if (place) place.checked = true;
      var t = li.querySelector(".b-toggle");
      if (t) t.textContent = "撤下";
    });
    if (pageChars) pageChars.textContent = String(chars);
    Array.prototype.forEach.call(pool.querySelectorAll(".b-item"), function (li) {
      var place = li.querySelector("input.place");
      if (place) place.checked = false;
      var lead = li.querySelector('input[name="lead"]');
      if (lead) lead.checked = false;
      var t = li.querySelector(".b-toggle");
      if (t) t.textContent = "加入本版";
      var b = li.querySelector(".b-badge");
      if (b) { b.textContent = ""; b.className = "b-badge"; }
    });
  }

  // ---- Live fit -------------------------------------------------------
  var timer = 0, seq = 0, report = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 120);
  }
  function refresh() {
    renumber();
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(form));
    status.textContent = "正在计算……";
    fetch("/desk/editions/" + date + "/fit", {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (res) {
      return res.json().then(function (j) { return { ok: res.ok, j: j }; });
    }).then(function (r) {
      if (mine !== seq) return;
      if (!r.ok) {
        status.textContent = (r.j && r.j.error) || "无法计算版面";
        status.className = "b-error";
        return;
      }
      status.textContent = "";
      status.className = "";
      report = r.j;
      draw(report);
    }).catch(function () {
      if (mine === seq) { status.textContent = "无法连接服务器，版样没有更新"; status.className = "b-error"; }
    });
  }

  function badgeText(m) {
    if (m.fit === "overset") {
      return "超 " + (m.textLinesNeeded - m.textLinesAvailable) + " 行 · 删约 " + m.chars + " 字";
    }
    if (m.fit === "underset") {
      return "空 " + (m.textLinesAvailable - m.textLinesNeeded) + " 行 · 可补约 " + m.chars + " 字";
    }
    return "合适";
  }

  function itemFor(id) {
    return items().filter(function (li) { return li.dataset.id === id; })[0] ||
      items().filter(function (li) { return !li.dataset.id && li.dataset.genId === id; })[0];
  }

  function draw(rep) {
    var g = rep.grid;
    if (!rep.modules || !rep.modules.length) {
      pageFit.textContent = "本版还没有稿件：从“待用稿件”里加入。";
      pageFit.className = "b-pagefit";
    }
    pageEl.style.aspectRatio = g.trimWidthMM + " / " + g.trimHeightMM;
    pageEl.textContent = "";
    var mast = document.createElement("div");
    mast.className = "b-mast";
    mast.style.height = (g.mastheadLines / g.lines * 100) + "%";
    mast.textContent = "版头";
    pageEl.appendChild(mast);
    items().forEach(function (li) {
      var b = li.querySelector(".b-badge");
      b.textContent = "未排";
      b.className = "b-badge";
    });
    // New boxes have no id until saved: match them to the report in
    // page order among the modules the list cannot name.
    var unnamed = items().filter(function (li) { return li.dataset.kind === "box" && !li.dataset.id; });
    (rep.modules || []).forEach(function (m) {
      var li = itemFor(m.item);
      if (!li && m.kind === "box") {
        li = unnamed.shift();
        if (li) li.dataset.genId = m.item;
      }
      var el = document.createElement("div");
      el.className = "b-mod b-" + m.fit + (m.lead ? " b-leadmod" : "");
      el.style.left = ((m.column - 1) / g.columns * 100) + "%";
      el.style.top = (m.row / g.lines * 100) + "%";
      el.style.width = (m.columns / g.columns * 100) + "%";
      el.style.height = (m.lines / g.lines * 100) + "%";
      el.dataset.item = m.item;
      var t = document.createElement("strong");
      t.textContent = (m.lead ? "头条 · " : "") + m.title;
      var s = document.createElement("span");
      s.className = "b-size";
      s.textContent = m.columns + " 栏 × " + m.lines + " 行";
      var bt = document.createElement("span");
      bt.className = "b-modbadge";
      bt.textContent = badgeText(m);
      el.appendChild(t); el.appendChild(s); el.appendChild(bt);
      el.addEventListener("click", function () { if (li) { li.focus(); li.scrollIntoView({ block: "nearest" }); } });
      pageEl.appendChild(el);
      if (li) {
        var b = li.querySelector(".b-badge");
        b.textContent = m.columns + "栏×" + m.lines + "行 · " + badgeText(m);
        b.className = "b-badge b-" + m.fit;
        li.dataset.columns = m.columns;
        li.dataset.lines = m.lines;
      }
    });
    if (rep.modules && rep.modules.length) {
      pageFit.textContent = rep.page.summary;
      pageFit.className = "b-pagefit b-" + rep.page.fit;
    }
  }

  // ---- Reordering -------------------------------------------------------
  function move(li, dir) {
    var sib = dir < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!sib) return;
    if (dir < 0) placed.insertBefore(li, sib); else placed.insertBefore(sib, li);
    li.focus();
    schedule();
  }
  var dragged = null;
  function wire(li) {
    li.draggable = true;
    li.addEventListener("dragstart", function (ev) {
      dragged = li;
      li.classList.add("b-dragging");
      ev.dataTransfer.effectAllowed = "move";
      ev.dataTransfer.setData("text/plain", li.dataset.id || "box");
    });
    li.addEventListener("dragend", function () { li.classList.remove("b-dragging"); dragged = null; schedule(); });
    li.addEventListener("dragover", function (ev) {
      if (!dragged || dragged === li || li.parentNode !== placed) return;
      ev.preventDefault();
      var r = li.getBoundingClientRect();
      placed.insertBefore(dragged, ev.clientY < r.top + r.height / 2 ? li : li.nextElementSibling);
    });
    li.addEventListener("keydown", function (ev) {
      if (ev.target !== li || li.parentNode !== placed) return;
      if (ev.altKey && ev.key === "ArrowUp") { ev.preventDefault(); move(li, -1); }
      if (ev.altKey && ev.key === "ArrowDown") { ev.preventDefault(); move(li, 1); }
    });
    var up = li.querySelector(".b-up"), down = li.querySelector(".b-down");
    if (up) up.addEventListener("click", function () { move(li, -1); });
    if (down) down.addEventListener("click", function () { move(li, 1); });
    var toggle = li.querySelector(".b-toggle");
    if (toggle) toggle.addEventListener("click", function () {
      if (li.parentNode === placed) pool.appendChild(li); else placed.appendChild(li);
      toggle.focus();
      schedule();
    });
    var place = li.querySelector("input.place");
    if (place) place.addEventListener("change", function () {
      if (place.checked && li.parentNode !== placed) placed.appendChild(li);
      if (!place.checked && li.parentNode === placed) pool.appendChild(li);
      place.focus();
    });
    var rm = li.querySelector(".b-remove");
    if (rm) rm.addEventListener("click", function () {
      var title = li.querySelector('input[name="box_title"]').value || "荣誉榜";
      if (!window.confirm("删除栏目“" + title + "”？保存版面后才会生效。")) return;
      li.remove();
      schedule();
    });
    if (li.dataset.kind === "box") honourTable(li);
  }

  // ---- The honour roll as a table ---------------------------------------
  function splitRow(line) {
    var cells = line.indexOf("\t") >= 0 ? line.split("\t") :
      line.indexOf("|") >= 0 ? line.replace(/^\||\|$/g, "").split("|") : line.split(/\s{2,}|\u3000/);
    return cells.map(function (c) { return c.trim(); });
  }
  function honourTable(li) {
    var ta = li.querySelector('textarea[name="box_rows"]');
    var label = ta.closest("label");
    var table = document.createElement("table");
    table.className = "b-honour";
    table.innerHTML = "<thead><tr><th>企业</th><th>受检产品</th><th>荣誉</th><th><span class=\"b-sr\">操作</span></th></tr></thead><tbody></tbody>";
    var tbody = table.tBodies[0];
    var add = document.createElement("button");
    add.type = "button";
    add.className = "b-addrow";
    add.textContent = "添加一行";
    var hint = document.createElement("p");
    hint.className = "b-hint";
    hint.textContent = "可以从 Excel、WPS 表格里复制几行三列，粘贴到任一格。";
    function sync() {
      var lines = [];
      Array.prototype.forEach.call(tbody.rows, function (tr) {
        var v = Array.prototype.map.call(tr.querySelectorAll("input"), function (i) { return i.value.trim(); });
        if (v.join("") !== "") lines.push(v.join("\t"));
      });
      ta.value = lines.join("\n");
      schedule();
    }
    function addRow(cells, before) {
      var tr = document.createElement("tr");
      ["企业", "受检产品", "荣誉"].forEach(function (name, i) {
        var td = document.createElement("td");
        var inp = document.createElement("input");
        inp.value = (cells && cells[i]) || "";
        inp.setAttribute("aria-label", name);
        inp.addEventListener("input", sync);
        inp.addEventListener("paste", function (ev) {
          var text = (ev.clipboardData || window.clipboardData).getData("text");
          if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) return;
          ev.preventDefault();
          var rows = text.replace(/\r\n?/g, "\n").split("\n").filter(function (l) { return l.trim() !== ""; });
          var at = tr;
          rows.forEach(function (line, k) {
            var cells = splitRow(line);
            var target = k === 0 ? at : addRow([], at.nextElementSibling);
            var inputs = target.querySelectorAll("input");
            cells.forEach(function (c, j) { if (inputs[i + j]) inputs[i + j].value = c; });
            at = target;
          });
          sync();
        });
        td.appendChild(inp);
        tr.appendChild(td);
      });
      var td = document.createElement("td");
      var del = document.createElement("button");
      del.type = "button";
      del.className = "b-delrow";
      del.textContent = "删除";
      del.setAttribute("aria-label", "删除这一行");
      del.addEventListener("click", function () {
        tr.remove();
        if (!tbody.rows.length) addRow([]);
        sync();
      });
      td.appendChild(del);
      tr.appendChild(td);
      tbody.insertBefore(tr, before || null);
      return tr;
    }
    ta.value.split("\n").forEach(function (line) { if (line.trim()) addRow(splitRow(line)); });
    if (!tbody.rows.length) addRow([]);
    add.addEventListener("click", function () { addRow([]).querySelector("input").focus(); sync(); });
    label.classList.add("b-hidden");
    label.parentNode.insertBefore(hint, label);
    label.parentNode.insertBefore(table, label);
    label.parentNode.insertBefore(add, label);
  }

  Array.prototype.forEach.call(document.querySelectorAll("#b-placed > .b-item, #b-pool > .b-item"), wire);

  var addBox = document.getElementById("b-add-box");
  if (addBox && boxTemplate) addBox.addEventListener("click", function () {
    var li = boxTemplate.cloneNode(true);
    li.querySelector('input[name="box_title"]').value = "荣誉榜";
    placed.appendChild(li);
    wire(li);
    li.querySelector("table input").focus();
    schedule();
  });
  document.getElementById("b-relayout").addEventListener("click", function () {
    items().forEach(function (li) {
      var locked = li.querySelector(".b-locked");
      var isLocked = locked && (locked.type === "checkbox" ? locked.checked : locked.value === "1");
      if (isLocked) return;
      li.querySelector(".b-cols").value = "";
      li.querySelector(".b-lines").value = "";
    });
    schedule();
  });
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  refresh();
})();
