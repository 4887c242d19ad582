"""Growing the corpus: a new article's facts land with evidence; a different value for the same
metric, subject, period and value type is a recorded conflict; another year extends the series."""

from __future__ import annotations

import textwrap

import duckdb
import pytest

from etl.build.refresh import refresh
from etl.curation.add_article import add_article

pytestmark = pytest.mark.e2e

ARTICLE = textwrap.dedent("""\
    Hefei's AI cluster keeps growing
    Updated: 2023-02-10

    The city had 900 AI-related companies in 2021, according to a new count by the municipal bureau.

    By the end of last year, Hefei was home to more than 1,000 AI-related companies.
""")

FACTS = textwrap.dedent("""\
    source_id: hefei-ai-cluster-2023
    numbers:
      - id: hefei-ai-companies-2021-recount
        metric: ai_company_count
        place: hefei
        quote: "The city had 900 AI-related companies in 2021"
        number: "900"
        value: 900
        comparator: exact
        period: 2021
        value_type: actual
      - id: hefei-ai-companies-2022
        metric: ai_company_count
        place: hefei
        quote: "By the end of last year, Hefei was home to more than 1,000 AI-related companies."
        number: "more than 1,000"
        value: 1000
        comparator: more_than
        period: {relative: last year}
        value_type: actual
""")


def test_new_article_conflict_and_series(warehouse_copy, tmp_path):
    incoming = tmp_path / "hefei.txt"
    incoming.write_text(ARTICLE, encoding="utf-8")
    new = add_article(
        warehouse_copy.seeds_dir,
        incoming,
        "Hefei's AI cluster keeps growing",
        "Example Daily",
        "2023-02-10",
        source_id="hefei-ai-cluster-2023",
    )
    new.facts_path.write_text(FACTS, encoding="utf-8")
    record = refresh(warehouse_copy)
    assert record.status == "success", record.error
    assert record.row_counts["dq_conflicts"] == 1 and record.changes["added"] == 2
    con = duckdb.connect(str(warehouse_copy.published_path), read_only=True)
    try:
        conflict = con.execute(
            "select metric_id, place_id, source_count, preferred_source_id, preferred_value, reported_values "
            "from dq_conflicts"
        ).fetchall()
        assert conflict[0][:5] == ("ai_company_count", "hefei", 2, "hefei-ai-cluster-2023", 900.0)
        assert "inland-innovation-2022: more_than 840" in conflict[0][5]
        series = con.execute(
            "select year, value, comparator, observation_count, source_count from fct_city_metric_year "
            "where city_id = 'hefei' and metric_id = 'ai_company_count' order by year"
        ).fetchall()
        assert series == [(2021, 900.0, "exact", 2, 2), (2022, 1000.0, "more_than", 1, 1)]
        quote = con.execute(
            "select evidence_quote from fct_metric_observation where fact_id = 'hefei-ai-companies-2022'"
        ).fetchone()[0]
        assert quote.startswith("By the end of last year")
    finally:
        con.close()


def test_synthetic_corpus_builds_and_passes_every_dbt_test(tmp_path):
    from etl.curation.synth import synth
    from etl.settings import PROJECT_DIR, Settings

    synth(
        tmp_path / "seeds",
        40,
        seed=3,
        reference_dir=PROJECT_DIR / "seeds" / "reference",
        numbers=30,
        relations=5,
    )
    settings = Settings(seeds_dir=tmp_path / "seeds", warehouse_dir=tmp_path / "warehouse")
    record = refresh(settings)
    assert record.status == "success", record.error
    assert record.row_counts["fct_metric_observation"] == 40 * 30
    assert record.row_counts["fct_firm_presence"] == 40 * 5
    assert (
        record.row_counts["dq_conflicts"] > 0
    )  # random values for the same metric and year disagree
