"""The HTML report in a real browser: headless Chromium loads it with no console errors,
its charts render, and a screenshot is saved (warehouse/test-artifacts/report.png)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from etl.outputs.report import write_report
from etl.settings import PROJECT_DIR

pytestmark = pytest.mark.e2e

ARTIFACTS = PROJECT_DIR / "warehouse" / "test-artifacts"


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no Chromium on this machine (make browser installs Debian's chromium)")


def run_chromium(url: str, *args: str, user_dir: Path) -> subprocess.CompletedProcess:
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
        f"--user-data-dir={user_dir}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
        url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def console_errors(stderr: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line and re.search(r"error|uncaught|exception", line, re.I)
    ]


def test_console_error_detection_works(tmp_path):
    """The check below can fail: a page with a script error is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    result = run_chromium(page.as_uri(), "--dump-dom", user_dir=tmp_path / "profile")
    assert console_errors(result.stderr), result.stderr[-2000:]


def test_report_renders_in_chromium(built, tmp_path):
    report = write_report(built.published_path, tmp_path / "report.html")
    html = report.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html  # self-contained: nothing fetched
    dom = run_chromium(report.as_uri(), "--dump-dom", user_dir=tmp_path / "profile")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_errors(dom.stderr) == []
    rows = int(re.search(r'data-ready="(\d+)"', dom.stdout).group(1))  # the script ran to its end
    assert rows == html.count("<tr id='ev-")
    assert dom.stdout.count("<svg") >= 2 and dom.stdout.count('class="city has-facts"') >= 8
    assert dom.stdout.count('class="bar"') >= 3  # one bar per investment
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    result = run_chromium(
        report.as_uri(),
        f"--screenshot={shot}",
        "--window-size=1400,2600",
        user_dir=tmp_path / "profile2",
    )
    assert result.returncode == 0 and shot.stat().st_size > 50_000, result.stderr[-2000:]
    assert console_errors(result.stderr) == []


def test_every_number_links_to_its_quote_and_article(built, tmp_path):
    html = write_report(built.published_path, tmp_path / "report.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r"id='(ev-[0-9a-f]+)'", html))
    links = set(re.findall(r"href='#(ev-[0-9a-f]+)'", html)) | set(
        re.findall(r'href="#(ev-[0-9a-f]+)"', html)
    )
    assert links and links <= anchors
    sources = set(re.findall(r"id='(src-[\w-]+)'", html))
    assert len(sources) == 5 and set(re.findall(r"href='#(src-[\w-]+)'", html)) <= sources
    assert html.count("<q>") >= 44 + 25
