"""The Chinese names render on any machine: the report embeds a subset of a CJK font.

Only the characters the report uses go in (about a hundred, some 20 KB), cut with fontTools
from Noto Sans CJK SC, which Debian's fonts-noto-cjk installs (`make fonts`). Where no CJK font
is installed the report is still written, without the subset, and says so.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FAMILY = "Techhubs CJK"
# the faces tried in order: Debian's fonts-noto-cjk first, then other CJK sans faces
PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Micro Hei")
KNOWN = (("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),)
CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x20000, 0x2FA1F))
UNICODE_RANGE = "U+2E80-9FFF, U+F900-FAFF, U+FF00-FFEF, U+20000-2FA1F"


@dataclass(frozen=True)
class EmbeddedFont:
    css: str  # the @font-face rule, '' when no font could be embedded
    characters: str  # the CJK characters the subset covers
    source: str  # which font file, or why none
    size: int  # bytes of the subset


def is_cjk(ch: str) -> bool:
    return any(lo <= ord(ch) <= hi for lo, hi in CJK_RANGES)


def cjk_characters(texts: Iterable[str]) -> str:
    return "".join(sorted({ch for text in texts for ch in text if is_cjk(ch)}))


def find_font() -> tuple[str, int] | None:
    """(file, index in a collection) of an installed Simplified Chinese sans face, or None."""
    found: dict[str, tuple[str, int]] = {}
    if shutil.which("fc-list"):
        out = subprocess.run(
            ["fc-list", "-f", "%{file}|%{index}|%{family}|%{style}\n", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        for line in out.splitlines():
            file, index, families, style = (line.split("|") + ["", "", "", ""])[:4]
            if "Regular" not in style.split(","):
                continue
            for family in families.split(","):
                found.setdefault(family, (file, int(index or 0)))
    for family in PREFERRED:
        if family in found:
            return found[family]
    for path, index in KNOWN:
        if Path(path).exists():
            return path, index
    return None


def embedded_font(texts: Iterable[str]) -> EmbeddedFont:
    chars = cjk_characters(texts)
    if not chars:
        return EmbeddedFont("", "", "no CJK text", 0)
    located = find_font()
    if located is None:
        return EmbeddedFont("", "", "no CJK font is installed (make fonts)", 0)
    from fontTools import subset
    from fontTools.ttLib import TTFont

    path, index = located
    font = TTFont(path, fontNumber=index, lazy=True)
    options = subset.Options()
    options.flavor = "woff"  # zlib-compressed: no brotli needed
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    cmap = font.getBestCmap()
    missing = [ch for ch in chars if ord(ch) not in cmap]
    if missing:
        return EmbeddedFont("", "", f"{path} lacks {''.join(missing)}", 0)
    buf = io.BytesIO()
    font.save(buf)
    data = buf.getvalue()
    css = (
        f"@font-face{{font-family:'{FAMILY}';font-style:normal;font-weight:100 900;"
        f"font-display:block;unicode-range:{UNICODE_RANGE};"
        f"src:url(data:font/woff;base64,{base64.b64encode(data).decode()}) format('woff')}}"
    )
    return EmbeddedFont(css, chars, f"{Path(path).name} #{index}", len(data))
