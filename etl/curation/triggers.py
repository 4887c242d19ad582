"""The words that state a firm's presence somewhere ("headquarters", "plant", "R&D centre",
"joint venture", "invest ... in"), each with its presence type, and the status a sentence's
verbs give it (will/plans/announced, opened/began, under construction, otherwise operating)."""

from __future__ import annotations

import re

# (pattern, presence type); the first that matches at a position wins
TRIGGERS: list[tuple[str, str]] = [
    (r"second headquarters", "second_headquarters"),
    (
        r"(?:global|world|China|Chinese|regional|Asia[- ]Pacific|national|international|new|"
        r"main|operational|5G|\w+)?\s?headquarters|[Hh]eadquartered|\bhome base\b|\bborn in\b|"
        r"\b[Bb]ased in\b|\bhome to\b(?=[^.]*\b(?:headquarters|head office)\b)|\bhead office\b|"
        r"\b(?:is |are )?(?:run|runs|ran|managed) (?:its [\w ]{0,20}?)?from\b",
        "headquarters",
    ),
    (
        r"(?i:research|R&D|research and development|innovation|design|engineering|technology)\s"
        r"(?:and development\s)?(?i:cent(?:er|re)|institute|lab(?:oratory)?|hub|base|studio)s?|"
        r"\blaborator(?:y|ies)\b",
        "research_centre",
    ),
    (
        r"data cent(?:er|re)s?|\bcloud (?:computing )?(?:base|cent(?:er|re))|server farm",
        "data_centre",
    ),
    (r"joint ventures?|\bJV\b", "joint_venture"),
    (
        r"\blocal (?:[\w-]+ )?(?:business(?:es)?|units?)\b|\bunit\b|\bsubsidiar(?:y|ies)\b",
        "local_business_unit",
    ),
    (
        r"(?:gigafactory|factory|factories|plants?|\bfabs?\b|wafer fab\w*|assembly lines?|"
        r"(?:OLED|LCD|panel|display|screen|chip|battery|packaging|test) lines?|refiner(?:y|ies)|"
        r"smelters?|steel ?works|steel mills?|\bmills?\b|foundr(?:y|ies)|shipyards?|distiller(?:y|ies)|"
        r"brewer(?:y|ies)|winer(?:y|ies)|workshops?|(?:ethylene |steam )?crackers?|(?:(?<=\bthe )|(?<=\bits )|(?<=\ba ))(?:[\w-]+ )?works\b|"
        r"production (?:base|lines?|sites?|phases?|facilit\w+)|manufacturing (?:base|sites?|"
        r"facilit\w+|hub|complex)|\bsite\b|complex|\bbuilds?\b|\bassembles?\b|\bmakes\b|produces|"
        r"\b(?:has|have|had) (?:built|made|produced|assembled)\b(?! (?:it|its|a |an |the |progress))|"
        r"\b(?:began|begun|started|starts|start) (?:making|producing|building|assembling)\b|"
        r"\bturns? [\w -]{1,30}? into\b|"
        r"\bproduction\b)",
        "factory",
    ),
    (
        r"\boffices?\b|branch(?:es)?|regional unit|business unit|\bset up (?:shop|operations)\b|"
        r"(?:delivery|service|operations|sales|support|customer) cent(?:er|re)s?",
        "office",
    ),
    (r"(?i:test(?:ing)? (?:base|ground|track|zone))", "test_base"),
    (r"\b(?:is|are|was) home to\b|\bhosts\b|\bhouses\b|\battract(?:ed|s)\b", "hosts"),
    (
        r"\binvest(?:s|ed|ing|ment)?\b|\bpu(?:t|ts|tting)\b(?=[^.;]{0,60}?\binto\b)|"
        r"\bsp(?:ent|ends?|ending)\b(?=[^.;]{0,50}?\b(?:developing|building|expanding)\b)|"
        r"\bstake in the\b(?=\s+[A-Z][^.;]{0,50}?\b(?:mine|field|deposit|project)\b)|"
        r"(?<=yuan )(?:[\w-]+ ){0,4}?projects?\b|(?<=\) )(?:[\w-]+ ){0,4}?projects?\b",
        "investment",
    ),
    (r"\bbase\b|\bhub\b|\bcampus\b|\bcent(?:er|re)\b", "office"),
]
TRIGGER_RE = [(re.compile(p), kind) for p, kind in TRIGGERS]
# a presence that has ended: "ended vehicle production in", "closed its plant in"
ENDED = re.compile(
    r"\b(?:ended|ceased|halted|stopped|closed|shut(?: down)?|abandoned|vacated|wound down)\s+"
    r"(?:(?!to\b|and\b)[\w-]+\s+){0,3}$"
)


def triggers(sentence: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for rx, kind in TRIGGER_RE:
        for m in rx.finditer(sentence):
            if any(a <= m.start() < b or m.start() <= a < m.end() for a, b, _ in found):
                continue
            found.append((m.start(), m.end(), kind))
    return sorted(found)


def status_of(sentence: str) -> str:
    if re.search(
        r"under construction|is building|are building|being built|broke ground", sentence, re.I
    ):
        return "under_construction"
    if re.search(
        r"\b(?:will|would|plans?|planned|to build|to set up|to open|announced|agreed|signed|"
        r"expects?|aims?)\b",
        sentence,
        re.I,
    ):
        return "announced"
    if re.search(
        r"\bopen(?:ed|s|ing)\b|\bbegan\b|\bstarted (?:production|operat)|came online|inaugurat",
        sentence,
        re.I,
    ):
        return "opened"
    return "operating"
