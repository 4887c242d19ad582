"""The report's stylesheet and its one script (the charting library is inlined beside it)."""

from __future__ import annotations

from etl.outputs.report.vega import FONT

CSS = (
    """
*{box-sizing:border-box}
body{font:15px/1.45 """
    + FONT
    + """;margin:0;color:#1d2733;background:#f3f5f8}
header{background:#12344d;color:#fff;padding:20px 0 14px}
.wrap{max-width:1560px;margin:0 auto;padding:0 28px}
header h1{margin:0 0 4px;font-size:28px}header a{color:#cfe6ff;margin-right:16px;white-space:nowrap}
.meta{margin:0 0 10px;opacity:.9;max-width:1100px}
section{background:#fff;border-radius:10px;padding:16px 22px 20px;margin:18px 0;box-shadow:0 1px 3px #0002}
h2{margin:4px 0 6px;color:#12344d}h3{margin:16px 0 8px;color:#12344d}
.lede{margin:0 0 12px;color:#3b4754;max-width:1000px}
table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #e3e7ec;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{font-weight:600;color:#3b4754}
.num{text-align:right;white-space:nowrap}.compact td,.compact th{padding:3px 6px;font-size:14px}
.zh{color:#5b6773;font-weight:normal;font-family:"""
    + FONT
    + """}
.cols{display:grid;grid-template-columns:minmax(0,3fr) minmax(280px,2fr);gap:24px;align-items:start}
.chart{width:100%;min-width:0}
.chart-map{height:clamp(420px,38vw,640px)}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:18px 28px}
.cards{display:grid;align-items:start;grid-template-columns:repeat(auto-fill,minmax(min(100%,560px),1fr));gap:16px}
.card{border:1px solid #dfe4ea;border-radius:8px;padding:10px 14px 12px;min-width:0;overflow:hidden}
.card h3{margin:2px 0 4px;display:flex;flex-wrap:wrap;gap:4px 10px;align-items:baseline}
.card h3 .where{font-size:13px;font-weight:normal;color:#5b6773}
.notes{margin:0 0 4px;font-size:13px;color:#3b4754}
details.numbers{margin-top:6px;font-size:13px}details.numbers summary{cursor:pointer;color:#1864ab}
.legend{display:flex;flex-wrap:wrap;gap:6px 22px;margin:4px 0 10px;font-size:13px;color:#3b4754}
.legend span{display:inline-flex;align-items:center;gap:6px;white-space:nowrap}
.legend svg{flex:none}
.caption{color:#556;font-size:13px;margin:8px 0 0;max-width:1100px}
.matrix td{text-align:center}.matrix th{white-space:nowrap}.matrix small{color:#445}.heat1{background:#e7f5ff}.heat2{background:#a5d8ff}
.heat3{background:#74c0fc}.heat4{background:#4dabf7}q{font-style:italic}.src{font-size:12px;color:#555}
#filter{width:100%;max-width:420px;padding:6px 8px;margin:4px 0 10px;font:inherit}
tr:target{background:#fff3bf}footer{padding:8px 0 24px;color:#778;font-size:12px}
#vg-tooltip-element{font-family:"""
    + FONT
    + """}
@media (max-width:1000px){.cols{grid-template-columns:1fr}}
"""
)

SCRIPT = """
(function () {
  var body = document.body;
  var input = document.getElementById('filter');
  var rows = Array.prototype.slice.call(document.querySelectorAll('#facts-table tr')).slice(1);
  input.addEventListener('input', function () {
    var q = input.value.toLowerCase();
    rows.forEach(function (row) {
      row.style.display = row.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
  body.setAttribute('data-ready', String(rows.length));

  // The charts: drawn once the embedded CJK font has loaded, so labels are measured in it.
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  var boxes = Array.prototype.slice.call(document.querySelectorAll('[data-chart]'));
  var font = document.fonts && document.fonts.load
    ? document.fonts.load("16px 'Techhubs CJK'", '\\u4e2d').catch(function () {})
    : Promise.resolve();
  // Each chart is compiled Vega; "fit" names the sizes it takes from its box: given when it
  // is drawn, and again when the window is resized.
  function sized(chart, box) {
    var copy = Object.assign({}, chart.vega);
    chart.fit.forEach(function (dim) { copy[dim] = dim === 'width' ? box.clientWidth : box.clientHeight; });
    return copy;
  }
  var views = [];
  function draw(box) {
    var chart = specs[box.getAttribute('data-chart')];
    var options = {renderer: 'svg', actions: false, mode: 'vega'};
    return vegaEmbed(box, sized(chart, box), options).then(function (result) {
      views.push({view: result.view, box: box, fit: chart.fit});
      // a click on a number goes to its quote; a click on a city to its card
      result.view.addEventListener('click', function (event, item) {
        var d = item && item.datum;
        var target = d && (d.ev ? 'ev-' + d.ev : d.target);
        if (target) { location.hash = target; }
      });
      box.setAttribute('data-rendered', 'true');
    });
  }
  var resizing = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      views.forEach(function (v) {
        if (v.fit.indexOf('width') >= 0) { v.view.width(v.box.clientWidth); }
        if (v.fit.indexOf('height') >= 0) { v.view.height(v.box.clientHeight); }
        v.view.runAsync();
      });
    }, 150);
  });
  font.then(function () { return Promise.all(boxes.map(draw)); }).then(
    function () { body.setAttribute('data-charts', String(boxes.length)); },
    function (err) { body.setAttribute('data-charts', 'error'); console.error('a chart failed: ' + err); }
  );
})();
"""
