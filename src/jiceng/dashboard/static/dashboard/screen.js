// The big screen refreshes its live numbers every minute from its JSON answer.
(function () {
  function text(sel, value) {
    document.querySelectorAll(sel).forEach(function (el) { el.textContent = value; });
  }
  function apply(d) {
    text('[data-field="time"]', d.time);
    text('[data-field="month"]', d.month);
    d.figures.forEach(function (f) { text('[data-figure="' + f.key + '"]', f.value); });
    d.indicators.forEach(function (i) { text('[data-indicator="' + i.key + '"]', i.value); });
    text('[data-field="warnings-live"]', d.warnings.live);
    text('[data-field="warnings-severe"]', d.warnings.severe);
    fill(document.querySelector('[data-field="warnings-by-place"]'), d.warnings.by_place, function (p) {
      var li = document.createElement("li"), name = document.createElement("span"), n = document.createElement("strong");
      name.textContent = p.name;
      n.textContent = p.total;
      li.append(name, n);
      return li;
    });
    var list = document.querySelector('[data-field="warnings-latest"]');
    if (list) {
      list.replaceChildren.apply(list, d.warnings.latest.map(function (w) {
        var li = document.createElement("li");
        li.className = w.severity;
        var s = document.createElement("span");
        s.textContent = w.since;
        li.append(s, " " + w.title);
        return li;
      }));
    }
  }
  function fill(list, rows, make) {
    if (list) list.replaceChildren.apply(list, rows.map(make));
  }
  function refresh() {
    var url = document.body.dataset.url;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) apply(d); })
      .catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () { setInterval(refresh, 60000); });
  window.jicengScreenRefresh = refresh;
})();
