(function () {
  "use strict";
  var result = document.getElementById("result");
  function show(text, ok) {
    result.hidden = false;
    result.className = ok ? "ok" : "err";
    result.textContent = text;
  }
  function body(form) {
    var raw = form.querySelector("[data-type=body]");
    if (raw) return raw.value;
    var out = {};
    form.querySelectorAll("[data-member]").forEach(function (input) {
      var name = input.getAttribute("data-member"), type = input.getAttribute("data-type");
      if (type === "boolean") { out[name] = input.checked; return; }
      var value = input.value;
      if (value === "") return;
      if (type === "integer" || type === "number") {
        var n = Number(value);
        out[name] = isNaN(n) ? value : n;
      } else if (type === "json") {
        try { out[name] = JSON.parse(value); } catch (e) { out[name] = value; }
      } else {
        out[name] = value;
      }
    });
    return JSON.stringify(out);
  }
  function problemText(status, text) {
    try {
      var doc = JSON.parse(text), lines = [status + " " + (doc.title || "")];
      if (doc.detail) lines.push(doc.detail);
      (doc.errors || []).forEach(function (e) { lines.push((e.pointer || "") + ": " + (e.detail || "")); });
      return lines.join("\n");
    } catch (e) {
      return status + " " + text;
    }
  }
  document.querySelectorAll("form.api").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var method = (event.submitter && event.submitter.value) || "POST";
      var headers = {Accept: "application/json"};
      var init = {method: method, headers: headers, credentials: "same-origin"};
      if (method !== "DELETE") {
        headers["Content-Type"] = "application/json";
        init.body = body(form);
      }
      var etag = form.getAttribute("data-etag");
      if (etag && method !== "POST") headers["If-Match"] = etag;
      var url = form.getAttribute("data-url");
      fetch(url, init).then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) { show(problemText(response.status, text), false); return; }
          var after = form.getAttribute("data-after");
          var location = response.headers.get("Location");
          show(response.status + " done", true);
          if (after === "location" && location) window.location.assign(location);
          else if (after === "parent") window.location.assign(url.replace(/[^\/]+\/?$/, ""));
          else window.location.reload();
        });
      }).catch(function (e) { show("Request failed: " + e.message, false); });
    });
  });
})();
