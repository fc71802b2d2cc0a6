// The dashboard's charts: the trend of the chosen indicator and its children's ranking.
// Data comes from the page (json_script "dashboard-data"), read from the snapshots.
(function () {
  "use strict";
  var node = document.getElementById("dashboard-data");
  if (!node || typeof echarts === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var charts = [];
  var red = "#c8102e";

  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  }

  var tooltip = { trigger: "axis", renderMode: "richText" };
  make("trend-chart", {
    animation: false,
    tooltip: tooltip,
    grid: { left: 48, right: 16, top: 24, bottom: 40 },
    xAxis: { type: "category", data: data.trend.map(function (p) { return p.period; }) },
    yAxis: { type: "value", name: data.unit },
    series: [{
      type: "line", name: data.name, connectNulls: false, symbolSize: 6,
      itemStyle: { color: red }, areaStyle: { opacity: 0.08 },
      data: data.trend.map(function (p) { return p.value; })
    }]
  });
  var rows = data.ranking.slice().reverse();
  var rankEl = document.getElementById("rank-chart");
  if (rankEl && rows.length > 8) {
    // one bar per child: a street's 30 communities need more than the default height
    rankEl.style.height = (26 * rows.length + 48) + "px";
  }
  make("rank-chart", {
    animation: false,
    tooltip: tooltip,
    grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: "value", name: data.unit },
    yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
             axisLabel: { width: 90, overflow: "truncate" } },
    series: [{ type: "bar", name: data.name, itemStyle: { color: red },
               data: rows.map(function (r) { return r.value; }) }]
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
