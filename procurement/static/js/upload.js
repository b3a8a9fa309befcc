/* Bid documents: upload each chosen file to the JSON API with a progress bar
   and show its SHA-256 when the server has it. Without this file the upload
   form posts to the page (one file per submit) and works the same way.

   <form data-upload data-api="/api/v1/bids/1/documents" data-csrf="…"
         data-max-bytes="…" data-msg-…="…"> holds the file input and an
   <ul class="upload-progress">; <template id="doc-template"> is one row of
   the document list. Also: a form with data-unsaved asks before submitting
   while the form with data-track-changes has unsaved edits. */
(function () {
  "use strict";

  function formatSize(n) {
    if (n >= 1048576) { return (n / 1048576).toFixed(1) + " MB"; }
    if (n >= 1024) { return (n / 1024).toFixed(1) + " KB"; }
    return n + " 字节";
  }

  function parseJson(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function make(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  function enhance(form) {
    var input = form.querySelector("input[type=file]");
    var progress = form.querySelector(".upload-progress");
    var button = form.querySelector("button[type=submit]");
    var drop = form.querySelector(".upload-drop");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;
    var base = form.getAttribute("action");  // /org/bids/{id}/documents
    var msg = function (name) { return form.getAttribute("data-msg-" + name) || ""; };
    if (!input || !progress) { return; }

    input.multiple = true;
    form.classList.add("upload-enhanced");

    function row(file) {
      var li = make("li", "upload-item");
      var head = make("div", "upload-head");
      head.appendChild(make("span", "upload-name", file.name));
      head.appendChild(make("span", "upload-size", formatSize(file.size)));
      var bar = make("progress", "upload-bar");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      var status = make("p", "upload-status", msg("waiting"));
      li.appendChild(head);
      li.appendChild(bar);
      li.appendChild(status);
      progress.appendChild(li);
      return { file: file, li: li, bar: bar, status: status };
    }

    function fail(item, text) {
      item.li.classList.add("upload-failed");
      item.bar.value = 0;
      item.status.textContent = "✗ " + text;
    }

    function succeed(item, doc) {
      item.li.classList.add("upload-done");
      item.bar.value = 100;
      item.status.textContent = "";
      item.status.appendChild(make("span", "upload-ok", "✓ " + msg("done") + " · SHA-256 "));
      item.status.appendChild(make("code", "sha", doc.sha256));
      addDocument(doc);
    }

    function addDocument(doc) {
      var template = document.getElementById("doc-template");
      var list = document.getElementById("doc-list");
      if (!template || !list || !template.content) { return; }
      var node = template.content.firstElementChild.cloneNode(true);
      var fill = function (field, text) {
        var el = node.querySelector("[data-field=" + field + "]");
        if (el) { el.textContent = text; }
        return el;
      };
      fill("name", doc.name);
      fill("type", String(doc.doc_type || "").toUpperCase());
      fill("size", formatSize(doc.size));
      fill("sha", doc.sha256);
      var link = node.querySelector("[data-field=link]");
      if (link) { link.href = base + "/" + doc.id; }
      var remove = node.querySelector("[data-field=remove]");
      if (remove) { remove.action = base + "/" + doc.id + "/remove"; }
      list.appendChild(node);
      var empty = document.getElementById("doc-empty");
      if (empty) { empty.parentNode.removeChild(empty); }
      var count = document.querySelector("[data-doc-count]");
      if (count) { count.textContent = String(list.children.length); }
    }

    function send(item, done) {
      if (maxBytes && item.file.size > maxBytes) {
        fail(item, msg("too-big"));
        done();
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-api"));
      xhr.setRequestHeader("X-CSRFToken", form.getAttribute("data-csrf") || "");
      xhr.setRequestHeader("Accept", "application/json");
      item.status.textContent = msg("uploading") + " 0%";
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          var pct = Math.min(99, Math.round((event.loaded / event.total) * 100));
          item.bar.value = pct;
          item.status.textContent = msg("uploading") + " " + pct + "%";
        }
      });
      xhr.addEventListener("load", function () {
        var body = parseJson(xhr.responseText);
        if (xhr.status === 201 && body && body.sha256) {
          succeed(item, body);
        } else {
          fail(item, (body && body.detail) || (msg("failed") + "（HTTP " + xhr.status + "）"));
        }
        done();
      });
      xhr.addEventListener("error", function () { fail(item, msg("failed")); done(); });
      var data = new FormData();
      data.append("data", item.file, item.file.name);
      xhr.send(data);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) {
        input.focus();
        return;
      }
      var items = files.map(row);
      input.value = "";
      button.disabled = true;
      var i = 0;
      (function next() {  // one at a time: the server checks the bid's total size in order
        if (i >= items.length) {
          button.disabled = false;
          return;
        }
        send(items[i++], next);
      })();
    });

    if (drop) {
      ["dragenter", "dragover"].forEach(function (type) {
        drop.addEventListener(type, function (event) { event.preventDefault(); drop.classList.add("dragging"); });
      });
      ["dragleave", "drop"].forEach(function (type) {
        drop.addEventListener(type, function () { drop.classList.remove("dragging"); });
      });
      drop.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files.length) {
          input.files = event.dataTransfer.files;
        }
      });
    }
  }

  var upload = document.querySelector("form[data-upload]");
  if (upload && window.FormData && window.XMLHttpRequest) {
    enhance(upload);
  }

  // Submitting sends the saved draft: say so when the form below has unsaved edits.
  var tracked = document.querySelector("form[data-track-changes]");
  var dirty = false;
  if (tracked) {
    tracked.addEventListener("input", function () { dirty = true; });
    tracked.addEventListener("change", function () { dirty = true; });
    tracked.addEventListener("submit", function () { dirty = false; });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-unsaved");
    if (!question || !dirty) { return; }
    event.stopPropagation();  // this question replaces the form's usual data-confirm
    if (!window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
