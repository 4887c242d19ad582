"""The words that are never organisation names, or never on their own: sentence openers,
titles, months, demonyms, acronyms of things (``etl.curation.names`` uses them)."""

from __future__ import annotations

from etl.sources.numbers import WORD_NUMBERS

LEADING = frozenset(
    (
        "The A An It Its This That These Those In On At By For From With And But Or As If When "
        "While After Before Since Under Over Beyond Besides Among About Both Also Outside Inside "
        "Analysts Officials Shares Last Next Today Yesterday Separately Meanwhile Still Local "
        "Foreign Overseas Abroad Domestically Globally Elsewhere Nearby Across Together Earlier Later "
        "Revenue Revenues Sales Profit Profits Output Exports Imports Investment Growth Production "
        "Coal Steel Cool Power Solar Wind Oil Gas Without Despite Through Unlike Like Including "
        "Following Amid Against Along Behind Within During Until Once Instead "
    ).split()
)

STOP = (
    LEADING
    | {w.capitalize() for w in WORD_NUMBERS}
    | frozenset(
        (
            "Beside He She They We Our Their His Her Yet So Now Then There Here City Province Chinese "
            "Whoever Whatever Wherever Everyone Everybody Nobody Someone Anyone Nothing Everything "
            "China Asia Europe Germany German Japan Japanese Korea Korean South North East West "
            "January February March April May June July August September October November December "
            "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mr Mrs Ms Dr President Premier "
            "Minister Chairman Chief Director Deputy Vice Party Secretary Mayor Governor Xinhua "
            "Reuters Eval Yangtze River State Council Stock Exchange Belt Road Initiative National "
            "Development Reform Commission Ministry Industry Information Bureau Government Committee "
            "Zone Park Area New District County Economic Technological High-tech Industrial Free "
            "Trade Port Airport Phase Line Model Series No Pacific Atlantic Arctic Africa America "
            "Americas Oceania Manchuria Siberia Balkans "
        ).split()
    )
)

ACRONYMS = frozenset(
    "AI VR AR IT PC EV EVs IoT GDP R&D US UK EU CEO CFO SAR OLED LCD LED NAND DRAM".split()
)

TITLES = frozenset(
    "Mr Mrs Ms Dr President Premier Minister Chairman Chairwoman Director Deputy Secretary "
    "Mayor Governor Professor Ambassador Senator Vice".split()
)

DEMONYMS = frozenset(
    "British Dutch French Swiss Welsh English Scottish Irish European Asian African Western "
    "Eastern Northern Southern Nordic Arab Latin Thai Lao Greek Czech Filipino Kiwi Spanish "
    "Soviet Portuguese Polish Turkish Danish Swedish Finnish Norwegian Slovak Serbian".split()
)
