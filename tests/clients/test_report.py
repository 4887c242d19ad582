"""The HTML report in a real browser, looked at as a reader would.

Headless Chromium loads the report at 1,280 and 1,920 px wide, with the network blocked and
with fontconfig told to hide every CJK font on the machine (as on a reader's machine without
one). A probe script, added to a copy of the report, waits for the charts and measures: no
console errors, no resource fetched, every chart drawn with marks, the map's province outlines,
text inside its boxes (from element sizes), every Chinese character drawn as a glyph (its pixels
against the fallback box's), and a click on a chart's number going to its quote. Screenshots
at both widths are saved to warehouse/test-artifacts/.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from etl.outputs.report import fonts, write_report
from etl.settings import PROJECT_DIR

pytestmark = pytest.mark.e2e

ARTIFACTS = PROJECT_DIR / "warehouse" / "test-artifacts"
WIDTHS = (1280, 1920)

# Put first in <head>: records what the page logs as an error or warning, and uncaught errors.
HOOK = """<script>window.__problems = [];
['error', 'warn'].forEach(function (level) {
  var original = console[level];
  console[level] = function () {
    window.__problems.push(level + ': ' + Array.prototype.join.call(arguments, ' '));
    return original.apply(console, arguments);
  };
});
window.addEventListener('error', function (e) { window.__problems.push('uncaught: ' + e.message); });
</script>"""

# Put last in <body>: once the page says its charts are drawn, measure and write the results
# into <pre id="probe"> for --dump-dom to carry out.
PROBE = r"""<script>(function () {
  function name(el) {
    var text = (el.textContent || '').trim().slice(0, 60);
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && el.className.baseVal === undefined ? '.' + el.className : '') + ' "' + text + '"';
  }
  function visible(el) { var r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; }
  function within(r, b) {
    return r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
  }
  // a character drawn in a font stack, as pixels
  var canvas = document.createElement('canvas'); canvas.width = 64; canvas.height = 64;
  var ctx = canvas.getContext('2d', {willReadFrequently: true});
  function pixels(ch, family) {
    ctx.clearRect(0, 0, 64, 64); ctx.font = '48px ' + family; ctx.textBaseline = 'top';
    ctx.fillText(ch, 4, 4);
    return Array.prototype.join.call(ctx.getImageData(0, 0, 64, 64).data, '');
  }
  function measure(charts) {
    // the tables hidden in <details> must fit too: open them all
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
    var out = {charts: charts, problems: window.__problems.slice(), width: innerWidth,
               height: document.documentElement.scrollHeight,
               pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
    // text inside its boxes: no element scrolls sideways, nothing sticks out of its card or section
    var overflowing = [], outside = [];
    document.querySelectorAll('body *').forEach(function (el) {
      if (!visible(el) || el.closest('svg') || getComputedStyle(el).display === 'inline') return;
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'auto') overflowing.push(name(el));
    });
    document.querySelectorAll('.card, section, header, td, th, .legend span').forEach(function (box) {
      var b = box.getBoundingClientRect();
      box.querySelectorAll('*').forEach(function (el) {
        if (visible(el) && !within(el.getBoundingClientRect(), b)) outside.push(name(el) + ' in ' + name(box));
      });
    });
    out.overflowing = overflowing; out.outside = outside;
    // every chart drawn, its text inside its picture, its picture inside its box
    out.chartList = [];
    document.querySelectorAll('[data-chart]').forEach(function (box) {
      var svg = box.querySelector('svg'), info = {name: box.getAttribute('data-chart')};
      info.rendered = box.getAttribute('data-rendered') === 'true' && !!svg;
      if (svg) {
        var s = svg.getBoundingClientRect(), b = box.getBoundingClientRect();
        info.insideBox = within(s, b);
        info.marks = svg.querySelectorAll('.role-mark path, .role-mark text').length;
        info.shapes = svg.querySelectorAll('.mark-shape path').length;
        info.clippedText = [];
        svg.querySelectorAll('text').forEach(function (t) {
          if (t.textContent.trim() && !within(t.getBoundingClientRect(), s)) info.clippedText.push(t.textContent);
        });
        // every number drawn carries its observation, whose quote is in the page
        info.unlinked = [];
        svg.querySelectorAll('.role-mark path, .role-mark text').forEach(function (el) {
          var d = el.__data__ && el.__data__.datum;
          if (!d || d.type === 'Feature') return;
          // a number goes to its quote; a city on the map to its card, where it has one
          var target = d.ev ? 'ev-' + d.ev : d.target;
          if (target ? !document.getElementById(target) : !('target' in d)) info.unlinked.push(el.textContent || d.tip);
        });
        // a click on the first number goes to its quote
        var mark = Array.prototype.find.call(svg.querySelectorAll('.role-mark path'), function (el) {
          return el.__data__ && el.__data__.datum && el.__data__.datum.ev;
        });
        if (mark) {
          var r = mark.getBoundingClientRect();
          mark.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2}));
          info.clicked = {expected: '#ev-' + mark.__data__.datum.ev, got: location.hash};
        }
      }
      out.chartList.push(info);
    });
    // the Chinese characters: each drawn in its element's fonts, against the box drawn for a
    // character no font has (U+E000, private use), and against each other (boxes all look alike)
    var seen = {}, glyphs = [];
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      var node = walker.currentNode, el = node.parentElement;
      if (!el || el.closest('script, pre#probe') || !visible(el)) continue;
      var family = getComputedStyle(el).fontFamily;
      Array.prototype.forEach.call(node.textContent, function (ch) {
        var code = ch.codePointAt(0);
        if (code < 0x2e80 || code > 0x9fff || seen[ch]) return;
        seen[ch] = true;
        ctx.font = '48px ' + family;
        glyphs.push({ch: ch, svg: !!el.closest('svg'), width: ctx.measureText(ch).width,
                     tofuWidth: ctx.measureText('\ue000').width,
                     tofu: pixels(ch, family) === pixels('\ue000', family), image: pixels(ch, family)});
      });
    }
    var images = {};
    glyphs.forEach(function (g) { images[g.image] = (images[g.image] || 0) + 1; });
    glyphs.forEach(function (g) { g.sameAsOthers = images[g.image] - 1; delete g.image; });
    out.glyphs = glyphs;
    out.fontFaces = [];
    document.fonts.forEach(function (f) { out.fontFaces.push(f.family + ' ' + f.status); });
    out.resources = performance.getEntriesByType('resource').map(function (e) { return e.name.slice(0, 80); });
    var pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }
  var wait = setInterval(function () {
    var charts = document.body.getAttribute('data-charts');
    if (charts) { clearInterval(wait); measure(charts); }
  }, 50);
})();</script>"""


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium on this machine (make browser installs Debian's chromium)")


def run_chromium(
    url: str, *args: str, user_dir: Path, env: dict | None = None
) -> subprocess.CompletedProcess:
    cmd = [
        chromium(),
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # the report must not need the network
        f"--user-data-dir={user_dir}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
        url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)


def console_errors(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line and re.search(r"error|uncaught|exception|warn", line, re.I)
    ]


def no_cjk_fonts(tmp_path: Path) -> dict:
    """An environment in which fontconfig sees the machine's fonts but none with Chinese."""
    if not shutil.which("fc-list"):
        pytest.skip("no fontconfig here: cannot hide the machine's CJK fonts from Chromium")
    files = subprocess.run(
        ["fc-list", "-f", "%{file}\n", ":lang=zh-cn"], capture_output=True, text=True, check=True
    ).stdout.split()
    rejects = "".join(f"<glob>{f}</glob>" for f in sorted(set(files)))
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        "<fontconfig><include ignore_missing='yes'>/etc/fonts/fonts.conf</include>"
        f"<selectfont><rejectfont>{rejects}</rejectfont></selectfont>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FONTCONFIG_FILE": str(conf)}
    left = subprocess.run(
        ["fc-list", ":lang=zh-cn"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert left.strip() == "", f"fontconfig still offers CJK fonts: {left[:500]}"
    return env


def probe(page: Path, width: int, tmp_path: Path, env: dict) -> tuple[dict, str]:
    """Load page at this width and return what the probe measured, and Chromium's log."""
    html = page.read_text(encoding="utf-8")
    probed = page.with_name(f"probed-{width}-{page.name}")
    head, tail = html.replace("<head>", "<head>" + HOOK, 1).rsplit("</body>", 1)
    probed.write_text(head + PROBE + "</body>" + tail, encoding="utf-8")
    result = run_chromium(
        probed.as_uri(),
        f"--window-size={width},1000",
        "--virtual-time-budget=20000",
        "--dump-dom",
        user_dir=tmp_path / f"profile-{width}-{page.stem}",
        env=env,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    assert found, f"the probe did not finish (charts never drawn?): {result.stderr[-2000:]}"
    text = found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return json.loads(text.replace("&amp;", "&")), result.stderr


@pytest.fixture(scope="module")
def report(built, tmp_path_factory) -> Path:
    return write_report(built.published_path, tmp_path_factory.mktemp("report") / "report.html")


def test_console_error_detection_works(tmp_path):
    """The check below can fail: a page with a script error is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    result = run_chromium(page.as_uri(), "--dump-dom", user_dir=tmp_path / "profile")
    assert console_errors(result.stderr), result.stderr[-2000:]


@pytest.mark.parametrize("width", WIDTHS)
def test_report_looks_right_in_chromium(report, width, tmp_path):
    if fonts.find_font() is None:
        pytest.skip("no CJK font installed to embed (make browser installs fonts-noto-cjk)")
    env = no_cjk_fonts(tmp_path)
    seen, log = probe(report, width, tmp_path, env)
    assert console_errors(log) == [] and seen["problems"] == [], (seen["problems"], log[-2000:])
    assert [r for r in seen["resources"] if not r.startswith(("data:", "file:"))] == []
    assert seen["charts"] == str(len(seen["chartList"])) and len(seen["chartList"]) >= 5

    # every chart drawn with marks, inside its box, its text inside it, its numbers linked
    for chart in seen["chartList"]:
        assert chart["rendered"] and chart["marks"] >= 2, chart
        assert chart["insideBox"] and chart["clippedText"] == [], chart
        assert chart["unlinked"] == [], chart
        if chart["name"] != "map":
            assert chart["clicked"]["got"] == chart["clicked"]["expected"], chart
    drawn = {c["name"]: c for c in seen["chartList"]}
    assert drawn["map"]["shapes"] >= 30  # the province outlines
    assert "investments" in drawn and any(n.startswith("city-") for n in drawn)

    # text inside its boxes
    assert seen["pageOverflow"] <= 0, seen["pageOverflow"]
    assert seen["overflowing"] == [], seen["overflowing"][:10]
    assert seen["outside"] == [], seen["outside"][:10]

    # the Chinese names are glyphs, not boxes, in the page and in the charts
    assert "Techhubs CJK loaded" in seen["fontFaces"], seen["fontFaces"]
    glyphs = seen["glyphs"]
    assert len(glyphs) >= 20 and any(g["svg"] for g in glyphs)
    boxes = [g["ch"] for g in glyphs if g["tofu"] or g["sameAsOthers"]]
    assert boxes == [], f"drawn as the fallback box: {''.join(boxes)}"

    # screenshots of the whole page at this width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"report-{width}.png"
    result = run_chromium(
        report.as_uri(),
        f"--window-size={width},{seen['height']}",
        "--virtual-time-budget=20000",
        f"--screenshot={shot}",
        user_dir=tmp_path / "profile-shot",
        env=env,
    )
    assert result.returncode == 0 and shot.stat().st_size > 100_000, result.stderr[-2000:]
    assert console_errors(result.stderr) == []


def test_glyph_check_catches_boxes(report, tmp_path):
    """The glyph check can fail: without the embedded font, on a machine with no CJK font,
    the Chinese names are boxes and the probe says so."""
    env = no_cjk_fonts(tmp_path)
    bare = tmp_path / "no-font.html"
    html = report.read_text(encoding="utf-8")
    bare.write_text(re.sub(r"@font-face\{[^}]*\}", "", html), encoding="utf-8")
    seen, _ = probe(bare, 1280, tmp_path, env)
    assert seen["glyphs"] and all(g["tofu"] or g["sameAsOthers"] for g in seen["glyphs"])


def test_embedded_font_covers_every_chinese_character(report):
    html = report.read_text(encoding="utf-8")
    found = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html)
    if not found:
        assert fonts.find_font() is None, "a CJK font is installed but none was embedded"
        pytest.skip("no CJK font installed to embed (make browser installs fonts-noto-cjk)")
    from fontTools.ttLib import TTFont

    data = base64.b64decode(found.group(1))
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # the page, not the library
    used = fonts.cjk_characters([markup])
    assert len(used) >= 20
    assert [ch for ch in used if ord(ch) not in cmap] == []
    assert len(data) < 200_000  # a subset, not the whole font


def test_every_number_links_to_its_quote_and_article(built, report):
    html = report.read_text(encoding="utf-8")
    anchors = set(re.findall(r"id='(ev-[0-9a-f]+)'", html))
    links = set(re.findall(r"href='#(ev-[0-9a-f]+)'", html))
    assert links and links <= anchors
    specs = json.loads(
        re.search(r"<script type='application/json' id='chart-specs'>(.*?)</script>", html, re.S)
        .group(1)
        .replace("<\\/", "</")
    )

    drawn = [d for c in specs.values() for s in c["vega"]["data"] for d in s.get("values", [])]
    charted = {f"ev-{d['ev']}" for d in drawn if "ev" in d}
    assert charted <= anchors
    con = duckdb.connect(str(built.published_path), read_only=True)
    try:
        # every number of a city (but a year, which is written) and every investment is drawn
        should = con.execute(
            "select 'ev-' || observation_id from fct_metric_observation where is_preferred "
            "and ((city_id is not null and unit <> 'year') or metric_id = 'investment')"
        ).fetchall()
    finally:
        con.close()
    assert len(should) >= 36 and {s for (s,) in should} <= charted
    sources = set(re.findall(r"id='(src-[\w-]+)'", html))
    assert len(sources) == 5 and set(re.findall(r"href='#(src-[\w-]+)'", html)) <= sources
    assert html.count("<q>") >= 44 + 25


def test_report_is_self_contained(report):
    """Nothing in the page's markup points off the machine (the browser test also blocks the
    network and lists what was fetched)."""
    html = report.read_text(encoding="utf-8")
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:)?//""", markup, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", markup, re.I)
    assert "<script src" not in html
