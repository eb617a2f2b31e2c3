// Crossguard console: keyboard shortcuts, the live hit feed and the
// import's progress. The pages work without it.
(function () {
  "use strict";
  var page = document.body.getAttribute("data-page");

  function click(id) {
    var el = document.getElementById(id);
    if (el) { el.click(); return true; }
    return false;
  }

  // A complete machine readable zone: two or three lines of 30, 36 or 44.
  function completeMRZ(text) {
    var lines = text.split(/\r?\n/).map(function (l) { return l.trim(); }).filter(function (l) { return l.length > 0; });
    if (lines.length < 2 || lines.length > 3) { return false; }
    var w = lines[0].length;
    if ([30, 36, 44].indexOf(w) < 0) { return false; }
    if (lines.length === 3 && w !== 30) { return false; }
    return lines.every(function (l) { return l.length === w; });
  }

  if (page === "inspect") {
    var mrz = document.getElementById("mrz");
    if (mrz) {
      // A document reader types the lines and Enter: once the zone is
      // complete, Enter adds the document to the party.
      mrz.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && !e.ctrlKey && !e.shiftKey && completeMRZ(mrz.value)) {
          e.preventDefault();
          click("add");
        }
      });
    }
    var verdict = document.getElementById("verdict");
    if (verdict && !document.getElementById("new-party")) { verdict.focus(); }
    document.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (!click("inspect")) { click("new-party"); }
      } else if (e.key === "Escape") {
        e.preventDefault();
        if (!click("new-party")) { click("clear"); }
      }
    });
  }

  if (page === "alerts") {
    document.addEventListener("keydown", function (e) {
      var q = document.getElementById("q");
      if (e.key === "/" && q && document.activeElement !== q && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName)) {
        e.preventDefault();
        q.focus();
        q.select();
      }
    });
  }

  if (page === "hits" && window.EventSource) {
    var table = document.getElementById("hits");
    var body = table.tBodies[0];
    var state = document.getElementById("feed-state");
    var count = document.getElementById("hit-count");
    var es = new EventSource("/console/hits/stream?after=" + encodeURIComponent(table.getAttribute("data-after") || "0"));
    es.addEventListener("open", function () { state.textContent = state.getAttribute("data-live"); state.className = "live"; });
    es.addEventListener("error", function () { state.textContent = state.getAttribute("data-lost"); state.className = "lost"; });
    es.addEventListener("hit", function (e) {
      var holder = document.createElement("tbody");
      holder.innerHTML = e.data;
      var row = holder.firstElementChild;
      if (!row || document.getElementById(row.id)) { return; }
      row.classList.add("new");
      body.appendChild(row);
      count.textContent = String(body.rows.length);
    });
  }

  if (page === "import") {
    var form = document.getElementById("import-form");
    form.addEventListener("submit", function (e) {
      var file = document.getElementById("file").files[0];
      if (!file || !window.XMLHttpRequest) { return; }
      e.preventDefault();
      var bar = document.getElementById("import-progress");
      var status = document.getElementById("import-state");
      var result = document.getElementById("import-result");
      bar.hidden = false;
      bar.value = 0;
      result.innerHTML = "";
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/console/import");
      xhr.setRequestHeader("Content-Type", "application/x-ndjson");
      xhr.setRequestHeader("X-CSRF-Token", form.getAttribute("data-csrf"));
      xhr.setRequestHeader("X-Requested-With", "console");
      xhr.upload.addEventListener("progress", function (p) {
        if (p.lengthComputable) { bar.value = Math.round(100 * p.loaded / p.total); status.textContent = bar.value + "%"; }
      });
      xhr.addEventListener("load", function () {
        bar.value = 100;
        status.textContent = "";
        if (xhr.status === 200) {
          result.innerHTML = xhr.responseText;
        } else {
          var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
          var main = doc.querySelector("main .card");
          result.innerHTML = main ? main.outerHTML : String(xhr.status);
        }
      });
      xhr.addEventListener("error", function () { status.textContent = "✕"; });
      xhr.send(file);
    });
  }
}());
