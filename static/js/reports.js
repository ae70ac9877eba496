// Report charts (templates/reports/): each <div data-chart="ID" data-spec="JSON"> is drawn
// with Apache ECharts from its spec, which the server built from the same numbers as the
// table beside it (an attribute, escaped like any other: no script element to trust). The table is the source of
// truth; without this file (or without JavaScript) the page still reads in full.
//
// Spec: {kind: "bar" | "hbar" | "line", categories: [...], series: [{name, data,
// stack?}], unit: "%" | "" | any short unit text, max?: number, colors?: [one per series],
// locale: "ZH" | "EN"}.
//
// CSP: no inline script or style. Tooltips are drawn on the canvas (renderMode "richText"),
// because ECharts' HTML tooltips carry style attributes, which the policy refuses.
(function () {
  "use strict";

  if (typeof window.echarts === "undefined") return;

  // Tabler's accent first, then colours that stay apart for colour-blind readers.
  const PALETTE = ["#066fd1", "#f76707", "#2fb344", "#ae3ec9", "#d63939", "#17a2b8", "#f59f00"];
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function formatter(spec) {
    return function (value) {
      if (value === null || value === undefined || value === "-") return "—";
      const text = typeof value === "number" ? value.toLocaleString(spec.numberLocale || undefined) : value;
      if (!spec.unit) return String(text);
      return spec.unit === "%" ? text + " %" : text + " " + spec.unit;
    };
  }

  function axisOption(spec, narrow) {
    const format = formatter(spec);
    const valueAxis = { type: "value", axisLabel: { formatter: format }, minInterval: spec.unit === "%" ? 0 : 1 };
    if (typeof spec.max === "number") valueAxis.max = spec.max;
    const categoryAxis = {
      type: "category",
      data: spec.categories,
      axisLabel: { interval: "auto", hideOverlap: true, width: narrow ? 90 : 180, overflow: "truncate" },
      axisTick: { alignWithLabel: true },
    };
    if (spec.kind === "hbar") {
      categoryAxis.inverse = true; // the first row on top, as in the table
      return { xAxis: valueAxis, yAxis: categoryAxis };
    }
    return { xAxis: categoryAxis, yAxis: valueAxis };
  }

  // How many lines the legend takes at this width (ECharts wraps a plain legend by itself;
  // the plot starts below it): about 7 px a character, CJK twice that, plus the swatch.
  function legendLines(spec, width) {
    let lines = 1;
    let used = 0;
    spec.series.forEach(function (series) {
      let size = 45;
      for (const ch of series.name) size += ch.charCodeAt(0) > 0x2e80 ? 12 : 7;
      if (used + size > width - 20 && used > 0) {
        lines += 1;
        used = 0;
      }
      used += size;
    });
    return lines;
  }

  function build(spec, narrow, width) {
    const format = formatter(spec);
    const option = {
      color: spec.colors || PALETTE,
      animation: !reducedMotion,
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
      tooltip: {
        renderMode: "richText",
        trigger: "axis",
        valueFormatter: format,
        confine: true,
      },
      legend: { type: "plain", top: 0, show: spec.series.length > 1 },
    };
    Object.assign(option, axisOption(spec, narrow));
    const top = option.legend.show ? 12 + 24 * legendLines(spec, width) : 16;
    option.grid = { left: 8, right: 16, top: top, bottom: 8, containLabel: true };
    option.series = spec.series.map(function (series) {
      const type = spec.kind === "line" ? "line" : "bar";
      const item = {
        type: type,
        name: series.name,
        data: series.data,
        connectNulls: false,
        emphasis: { focus: "series" },
      };
      if (series.stack) item.stack = series.stack;
      if (type === "bar") item.barMaxWidth = 36;
      if (type === "line") item.showSymbol = spec.categories.length <= 62;
      return item;
    });
    return option;
  }

  function draw(holder) {
    let spec;
    try {
      spec = JSON.parse(holder.dataset.spec || "");
    } catch (error) {
      return;
    }
    // A horizontal bar chart grows with its rows (one engineer, or forty), ~28 px a row.
    if (spec.kind === "hbar") {
      const stacked = spec.series.some(function (series) {
        return series.stack;
      });
      const rows = spec.categories.length * (stacked ? 1 : Math.max(1, spec.series.length));
      const wanted = Math.max(holder.clientHeight, 80 + 28 * rows);
      holder.style.height = wanted + "px";
    }
    const chart = window.echarts.init(holder, null, { renderer: "canvas", locale: spec.locale || "EN" });
    const narrow = function () {
      return holder.clientWidth < 576;
    };
    let wasNarrow = narrow();
    let lastWidth = holder.clientWidth;
    chart.setOption(build(spec, wasNarrow, lastWidth));
    holder.dataset.chartReady = "true";
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(function () {
        const now = narrow();
        if (now !== wasNarrow || Math.abs(holder.clientWidth - lastWidth) > 40) {
          wasNarrow = now;
          lastWidth = holder.clientWidth;
          chart.setOption(build(spec, now, lastWidth), { notMerge: true });
        }
        chart.resize();
      }).observe(holder);
    }
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
