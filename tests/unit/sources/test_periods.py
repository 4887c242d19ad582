import datetime as dt

import pytest

from etl.sources.periods import PeriodError, StatementDate, resolve_period

D = dt.date
OCT_2020 = StatementDate(D(2020, 10, 14), "day")
MAY_2022 = StatementDate(D(2022, 5, 27), "day")
AUG_2017 = StatementDate(D(2017, 8, 15), "day")
YEAR_2019 = StatementDate(D(2019, 1, 1), "year")


@pytest.mark.parametrize(
    ("spec", "stated", "start", "end", "precision", "year"),
    [
        ({"relative": "last year"}, OCT_2020, D(2019, 1, 1), D(2019, 12, 31), "year", 2019),
        (
            {"relative": "the first half"},
            OCT_2020,
            D(2020, 1, 1),
            D(2020, 6, 30),
            "half-year",
            2020,
        ),
        ({"relative": "in September"}, OCT_2020, D(2020, 9, 1), D(2020, 9, 30), "month", 2020),
        ({"relative": "in November"}, OCT_2020, D(2019, 11, 1), D(2019, 11, 30), "month", 2019),
        ({"relative": "last month"}, AUG_2017, D(2017, 7, 1), D(2017, 7, 31), "month", 2017),
        (
            {"relative": "in the past two years"},
            MAY_2022,
            D(2020, 5, 28),
            D(2022, 5, 27),
            "multi-year",
            None,
        ),
        (
            {"relative": "the four years before the past two years"},
            MAY_2022,
            D(2016, 5, 28),
            D(2020, 5, 27),
            "multi-year",
            None,
        ),
        (
            {"relative": "earlier this month"},
            YEAR_2019,
            D(2019, 1, 1),
            D(2019, 12, 31),
            "year",
            2019,
        ),
        ("as_of", OCT_2020, D(2020, 10, 14), D(2020, 10, 14), "as-of", 2020),
        ("as_of", YEAR_2019, D(2019, 1, 1), D(2019, 12, 31), "as-of", 2019),
        (2018, OCT_2020, D(2018, 1, 1), D(2018, 12, 31), "year", 2018),
        ("2014-H2", OCT_2020, D(2014, 7, 1), D(2014, 12, 31), "half-year", 2014),
        ("2020-09", OCT_2020, D(2020, 9, 1), D(2020, 9, 30), "month", 2020),
        (
            {"start": "2021-12-31", "end": "2021-12-31", "precision": "day"},
            MAY_2022,
            D(2021, 12, 31),
            D(2021, 12, 31),
            "day",
            2021,
        ),
    ],
)
def test_resolves(spec, stated, start, end, precision, year):
    period = resolve_period(spec, stated)
    assert (period.start, period.end, period.precision, period.year) == (
        start,
        end,
        precision,
        year,
    )
    assert period.resolution


def test_resolution_says_how():
    period = resolve_period({"relative": "last year"}, OCT_2020)
    assert "2020-10-14" in period.resolution and "2019" in period.resolution


@pytest.mark.parametrize(
    ("spec", "stated"),
    [
        ({"relative": "a while ago"}, OCT_2020),
        ({"relative": "the first half"}, YEAR_2019),  # which year's half is unknowable
        ({"relative": "in September"}, YEAR_2019),
        ("last decade", OCT_2020),
        ({"start": "2020-01-01", "end": "2020-12-31"}, OCT_2020),
        (None, OCT_2020),
    ],
)
def test_refuses_what_it_cannot_resolve(spec, stated):
    with pytest.raises(PeriodError):
        resolve_period(spec, stated)
