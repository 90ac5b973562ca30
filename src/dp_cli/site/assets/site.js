// The catalog's only script: the search box (over window.DP_SEARCH_INDEX, loaded from
// search-index.js: pages opened from a file may not fetch() JSON) and the copy buttons.
"use strict";
(function () {
  var root = document.body.getAttribute("data-root") || "";
  var index = window.DP_SEARCH_INDEX || [];
  var box = document.getElementById("search-box");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var LIMIT = 25;

  function matches(query) {
    var words = query.toLowerCase().split(/\s+/).filter(Boolean);
    var order = { product: 0, table: 1, column: 2 };
    return index
      .filter(function (e) {
        var hay = (e.title + " " + e.text + " " + e.kind).toLowerCase();
        return words.every(function (w) { return hay.indexOf(w) !== -1; });
      })
      .sort(function (a, b) {
        var q = words[0] || "";
        var exact = (b.title.toLowerCase() === q) - (a.title.toLowerCase() === q);
        return exact || order[a.kind] - order[b.kind] || a.title.localeCompare(b.title);
      });
  }

  function show(query) {
    list.textContent = "";
    if (!query.trim()) {
      list.hidden = true;
      status.textContent = "";
      return;
    }
    var found = matches(query);
    found.slice(0, LIMIT).forEach(function (e) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + e.url;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e.kind;
      var title = document.createElement("strong");
      title.textContent = e.title;
      var where = document.createElement("span");
      where.className = "where";
      where.textContent = e.text;
      link.append(kind, title, where);
      item.append(link);
      list.append(item);
    });
    list.hidden = found.length === 0;
    status.textContent = found.length === 0 ? "No match." :
      found.length + (found.length === 1 ? " match" : " matches") +
      (found.length > LIMIT ? ", showing the first " + LIMIT : "") + ".";
  }

  if (box) {
    box.addEventListener("input", function () { show(box.value); });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { box.value = ""; show(""); }
      if (event.key === "ArrowDown" && !list.hidden) {
        event.preventDefault();
        list.querySelector("a").focus();
      }
      if (event.key === "Enter" && !list.hidden) {
        window.location.href = list.querySelector("a").href;
      }
    });
    list.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (event.key === "ArrowDown" && at < links.length - 1) { event.preventDefault(); links[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? links[at - 1] : box).focus(); }
      if (event.key === "Escape") { box.focus(); box.value = ""; show(""); }
    });
  }

  document.querySelectorAll("button.copy").forEach(function (button) {
    button.addEventListener("click", function () {
      var code = document.getElementById(button.getAttribute("data-copy"));
      var text = code ? code.textContent : "";
      var label = button.textContent;
      function done(ok) {
        button.textContent = ok ? "Copied" : "Select the text and copy it";
        setTimeout(function () { button.textContent = label; }, 1500);
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      } else {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        done(document.execCommand && document.execCommand("copy"));
      }
    });
  });
})();
