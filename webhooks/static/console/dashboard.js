// Draws the dashboard's charts from the JSON block #figures (no inline script: the CSP forbids it).
(function () {
  "use strict";
  var source = document.getElementById("figures");
  if (!source || typeof echarts === "undefined") { return; }
  var figures = JSON.parse(source.textContent);
  var green = "#2f6f4f";
  var palette = [green, "#5b8c5a", "#c9a227", "#8c5a3c", "#4a6fa5", "#9a4f7a", "#6b7b8c"];
  var charts = [];

  function draw(id, option, rows) {
    var node = document.getElementById(id);
    if (!node) { return; }
    if (rows !== undefined && rows.length === 0) {
      node.classList.add("empty");
      node.textContent = "暂无数据";
      return;
    }
    var chart = echarts.init(node, null, { renderer: "svg" });
    option.color = option.color || palette;
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
  }

  function names(rows) { return rows.map(function (r) { return r[0]; }); }
  function values(rows) { return rows.map(function (r) { return r[1]; }); }

  function bars(id, rows, limit) {
    rows = rows.slice(0, limit || 12).reverse();
    draw(id, {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names(rows), axisLabel: { width: 110, overflow: "truncate" } },
      tooltip: { trigger: "axis" },
      series: [{ type: "bar", data: values(rows), label: { show: true, position: "right" } }]
    }, rows);
  }

  draw("chart-growth", {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: names(figures.growth) },
    yAxis: { type: "value", minInterval: 1 },
    tooltip: { trigger: "axis" },
    series: [{ type: "line", data: values(figures.growth), areaStyle: { opacity: 0.15 }, smooth: true }]
  }, figures.growth);

  draw("chart-sources", {
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    legend: { bottom: 0, type: "scroll" },
    series: [{
      type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
      data: figures.by_source.map(function (r) { return { name: r[0], value: r[1] }; })
    }]
  }, figures.by_source);

  var provinces = figures.by_province.filter(function (r) { return r[0] !== "未识别"; });
  var top = provinces.length ? provinces[0][1] : 1;
  if (echarts.getMap && echarts.getMap("china")) {
    draw("chart-map", {
      tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + (p.value || 0) + " 人"; } },
      visualMap: { min: 0, max: top, left: 8, bottom: 8, text: ["多", "少"], calculable: true,
                   inRange: { color: ["#eef5f0", green] } },
      series: [{ type: "map", map: "china", roam: false, layoutCenter: ["50%", "55%"], layoutSize: "110%",
                 label: { show: false }, data: provinces.map(function (r) { return { name: r[0], value: r[1] }; }) }]
    });
  } else {
    bars("chart-map", figures.by_province, 15);
  }

  bars("chart-county", figures.by_county, 12);
  bars("chart-industry", figures.by_industry, 10);

  function funnel(id, years) {
    if (!years.length) { draw(id, {}, []); return; }
    var stages = years[0].stages.map(function (s) { return s[0]; });
    draw(id, {
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, type: "scroll" },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: stages, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: years.map(function (y) {
        return { name: String(y.year) + "年", type: "bar", data: y.stages.map(function (s) { return s[1]; }) };
      })
    });
  }
  funnel("chart-cooperation", figures.cooperation);
  funnel("chart-events", figures.events);

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
