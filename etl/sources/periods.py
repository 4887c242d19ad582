"""Resolve a fact's period, including relative phrases, from its article's date.

A curator writes the period as the article states it:

- ``as_of``: the value holds at the statement date ("now boasts over 90,000 companies")
- ``2018``: a calendar year; ``2014-H2``: a half-year; ``2020-09``: a month
- ``{start: 2021-12-31, end: 2021-12-31, precision: day}``: explicit bounds
- ``{relative: last year}``: a phrase resolved from the statement date

Every resolution says how it was reached (``resolution``), so an analyst can see
that "last year" in an article of 2020-10-14 became 2019.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

PRECISIONS = ("day", "month", "half-year", "year", "multi-year", "as-of")

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


class PeriodError(ValueError):
    """A period that cannot be resolved; the message says why and what to write instead."""


@dataclass(frozen=True)
class StatementDate:
    """When the article speaks. ``precision`` is day, month or year."""

    date: dt.date  # for month or year precision: the first day of the month or year
    precision: str

    @property
    def last_possible(self) -> dt.date:
        if self.precision == "day":
            return self.date
        if self.precision == "month":
            return _month_end(self.date.year, self.date.month)
        return dt.date(self.date.year, 12, 31)

    @classmethod
    def parse(cls, text: str) -> StatementDate:
        text = str(text).strip()
        if re.fullmatch(r"\d{4}", text):
            return cls(dt.date(int(text), 1, 1), "year")
        if re.fullmatch(r"\d{4}-\d{2}", text):
            year, month = map(int, text.split("-"))
            return cls(dt.date(year, month, 1), "month")
        try:
            return cls(dt.date.fromisoformat(text), "day")
        except ValueError:
            raise PeriodError(f"published_on {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD") from None


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    precision: str
    resolution: str

    @property
    def year(self) -> int | None:
        """The year the value describes; None when the period spans years."""
        return self.start.year if self.start.year == self.end.year else None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _year(year: int, resolution: str) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), "year", resolution)


def _half(year: int, half: int, resolution: str) -> Period:
    if half == 1:
        return Period(dt.date(year, 1, 1), dt.date(year, 6, 30), "half-year", resolution)
    return Period(dt.date(year, 7, 1), dt.date(year, 12, 31), "half-year", resolution)


def _month(year: int, month: int, resolution: str) -> Period:
    return Period(dt.date(year, month, 1), _month_end(year, month), "month", resolution)


def _count(word: str) -> int:
    word = word.lower()
    if word.isdigit():
        return int(word)
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    raise PeriodError(f"not a count of years: {word!r}")


def resolve_relative(phrase: str, stated: StatementDate) -> Period:
    """Resolve a relative time phrase from the statement date."""
    p = " ".join(phrase.lower().split())
    p = re.sub(r"^(in|during|over) ", "", p)
    d = stated.date
    said = (
        f"{phrase!r} from statement date {d.isoformat() if stated.precision == 'day' else d.year}"
    )

    if p == "last year":
        return _year(d.year - 1, f"{said} -> {d.year - 1}")
    if p == "this year":
        return _year(d.year, f"{said} -> {d.year}")
    if p in ("last month", "earlier this month", "this month"):
        if stated.precision == "year":
            return _year(
                d.year,
                f"{said}: the article's date is known only to the year, so the month "
                f"cannot be resolved; recorded as {d.year}",
            )
        if p == "last month":
            year, month = (d.year - 1, 12) if d.month == 1 else (d.year, d.month - 1)
            return _month(year, month, f"{said} -> {year}-{month:02d}")
        end = d if stated.precision == "day" else _month_end(d.year, d.month)
        return Period(
            dt.date(d.year, d.month, 1), end, "month", f"{said} -> {d.year}-{d.month:02d}"
        )
    m = re.fullmatch(r"(the )?(first|second) half( of (this|the) year)?", p)
    if m:
        half = 1 if m.group(2) == "first" else 2
        if stated.precision == "year":
            raise PeriodError(
                f"{said}: the article's date is known only to the year, so which half "
                "is meant cannot be resolved; write the half explicitly (e.g. 2020-H1)"
            )
        half_end = dt.date(d.year, 6, 30) if half == 1 else dt.date(d.year, 12, 31)
        year = d.year if stated.date > half_end else d.year - 1
        return _half(year, half, f"{said} -> {year}-H{half} (the latest half ended by then)")
    m = re.fullmatch(r"([a-z]+)", p)
    if m and m.group(1) in _MONTHS:
        if stated.precision == "year":
            raise PeriodError(
                f"{said}: the article's date is known only to the year; write the month "
                "explicitly (e.g. 2020-09)"
            )
        month = _MONTHS[m.group(1)]
        year = d.year if month <= d.month else d.year - 1
        return _month(year, month, f"{said} -> {year}-{month:02d} (the latest such month)")
    m = re.fullmatch(r"(the )?past (\w+) years", p)
    if m:
        n = _count(m.group(2))
        end = stated.last_possible
        start = _shift_years(end, -n) + dt.timedelta(days=1)
        return Period(
            start,
            end,
            "multi-year",
            f"{said} -> {start.isoformat()}..{end.isoformat()} (the {n} years up to the statement)",
        )
    m = re.fullmatch(r"(the )?(\w+) years before (the )?past (\w+) years", p)
    if m:
        n, back = _count(m.group(2)), _count(m.group(4))
        end = _shift_years(stated.last_possible, -back)
        start = _shift_years(end, -n) + dt.timedelta(days=1)
        return Period(
            start,
            end,
            "multi-year",
            f"{said} -> {start.isoformat()}..{end.isoformat()} "
            f"(the {n} years before the {back} years up to the statement)",
        )
    raise PeriodError(
        f"unknown relative phrase {phrase!r}; known: last year, this year, last month, "
        "earlier this month, the first half, the second half, in <Month>, "
        "in the past N years, the N years before the past M years"
    )


def resolve_period(spec: object, stated: StatementDate) -> Period:
    """Turn a curator's period spec into explicit bounds."""
    if spec is None:
        raise PeriodError("period is missing; write as_of, a year, YYYY-H1, YYYY-MM or a mapping")
    if isinstance(spec, dict):
        if "relative" in spec:
            extra = set(spec) - {"relative"}
            if extra:
                raise PeriodError(f"a relative period takes only 'relative', not {sorted(extra)}")
            return resolve_relative(str(spec["relative"]), stated)
        missing = {"start", "end", "precision"} - set(spec)
        if missing:
            raise PeriodError(
                f"an explicit period needs start, end and precision; missing {sorted(missing)}"
            )
        try:
            start = dt.date.fromisoformat(str(spec["start"]))
            end = dt.date.fromisoformat(str(spec["end"]))
        except ValueError as exc:
            raise PeriodError(f"period dates must be YYYY-MM-DD: {exc}") from None
        precision = str(spec["precision"])
        if precision not in PRECISIONS:
            raise PeriodError(f"precision {precision!r} is not one of {', '.join(PRECISIONS)}")
        return Period(start, end, precision, "stated explicitly")
    text = str(spec).strip()
    if text == "as_of":
        if stated.precision == "day":
            return Period(
                stated.date, stated.date, "as-of", f"as of the statement date {stated.date}"
            )
        return Period(
            stated.date,
            stated.last_possible,
            "as-of",
            f"as of the statement date, known only to the {stated.precision}",
        )
    if re.fullmatch(r"\d{4}", text):
        return _year(int(text), "stated year")
    m = re.fullmatch(r"(\d{4})-H([12])", text)
    if m:
        return _half(int(m.group(1)), int(m.group(2)), "stated half-year")
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m and 1 <= int(m.group(2)) <= 12:
        return _month(int(m.group(1)), int(m.group(2)), "stated month")
    raise PeriodError(
        f"cannot read period {text!r}; write as_of, 2018, 2014-H2, 2020-09, "
        "{relative: last year} or {start: ..., end: ..., precision: ...}"
    )
