"""End to end: the real warehouse built from the real seeds, checked as an analyst would."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import duckdb
import pytest
import yaml

from etl.build.publish import PUBLIC_TABLES
from etl.build.refresh import EXIT_BUILD_FAILED, EXIT_INVALID_INPUT, refresh
from etl.settings import PROJECT_DIR, Settings
from tests.helpers import copy_project, edit, sha256

pytestmark = pytest.mark.e2e

CONTRACT_COLUMNS = {
    "dim_place": "place_id place_name place_name_zh place_type parent_place_id city_id province_id "
    "region_name latitude longitude aliases",
    "dim_city": "city_id city_name city_name_zh province_id province_name region_name is_provincial_capital "
    "is_municipality latitude longitude",
    "dim_province": "province_id province_name province_name_zh province_type region_name",
    "dim_firm": "firm_id firm_name aliases hq_place_id hq_country sector",
    "dim_metric": "metric_id metric_name unit metric_kind is_flow description",
    "dim_source": "source_id title publisher published_on published_precision published_basis url sha256",
    "fct_metric_observation": "observation_id metric_id place_id city_id province_id firm_id source_id "
    "period_start period_end period_precision year statement_date value comparator "
    "value_low value_high unit value_type currency value_cny value_usd usd_stated "
    "fx_series evidence_quote evidence_start evidence_end is_preferred",
    "fct_firm_presence": "presence_id firm_id place_id city_id province_id presence_type status year "
    "investment_cny investment_usd usd_stated source_id evidence_quote evidence_start "
    "evidence_end",
    "fct_city_metric_year": "city_id metric_id year value_type value comparator unit observation_count source_count",
}


def yaml_not_null_columns() -> dict[str, list[str]]:
    """The marts' columns that their .yml declares not null (a contract constraint)."""
    out: dict[str, list[str]] = {}
    for path in sorted((PROJECT_DIR / "models" / "marts").glob("*.yml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            out[model["name"]] = [
                c["name"]
                for c in model.get("columns", [])
                if any(k.get("type") == "not_null" for k in c.get("constraints", []))
            ]
    return out


@pytest.fixture
def con(built):
    c = duckdb.connect(str(built.published_path), read_only=True)
    yield c
    c.close()


def test_public_tables_follow_the_contract(con):
    tables = {r[0] for r in con.execute("show tables").fetchall()}
    assert set(PUBLIC_TABLES) <= tables
    for table, cols in CONTRACT_COLUMNS.items():
        have = {r[0] for r in con.execute(f"describe {table}").fetchall()}
        assert set(cols.split()) <= have, (table, set(cols.split()) - have)
    # descriptions are persisted for BI tools
    undocumented = con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' and (comment is null or comment = '')"
    ).fetchall()
    assert undocumented == []
    # not-null columns are declared to clients (BI tools read information_schema)
    declared = {
        (model, column) for model, columns in yaml_not_null_columns().items() for column in columns
    }
    not_null = set(
        con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'main' and is_nullable = 'NO'"
        ).fetchall()
    )
    assert declared and declared <= not_null, declared - not_null
    assert (
        con.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() and comment is null"
        ).fetchone()[0]
        == 0
    )


def test_warehouse_build_describes_the_build(con, built):
    row = con.execute(
        "select build_id, input_fingerprint, storage_version, observation_rows from warehouse_build"
    ).fetchall()
    assert len(row) == 1
    assert row[0][2] == built.storage_version
    assert row[0][3] == con.execute("select count(*) from fct_metric_observation").fetchone()[0]


# An independent reading of the articles: metric, place, value, comparator, year, value type.
EXPECTED_NUMBERS = [
    ("company_count", "optics_valley", 90000, "more_than", 2019, "actual"),
    ("patent_applications", "optics_valley", 29000, "exact", 2018, "actual"),
    ("high_tech_industry_output", "wuhan", 1e12, "more_than", 2018, "actual"),
    ("gdp_growth", "wuhan", 8, "exact", 2018, "actual"),
    ("gdp", "optics_valley", 200e9, "exact", 2021, "target"),
    ("new_company_registrations", "optics_valley", 20000, "exact", 2021, "target"),
    ("high_tech_share_of_growth", "wuhan", 25, "more_than", 2020, "actual"),
    ("ai_company_count", "hefei", 840, "more_than", 2021, "actual"),
    ("ai_company_count_growth", "hefei", 23.2, "exact", 2021, "actual"),
    ("robotics_company_registrations", "shenyang", 860, "more_than", None, "actual"),
    ("world_tablet_production_share", "chengdu", 70, "exact", 2022, "actual"),
    ("world_laptop_production_share", "chengdu", 20, "close_to", 2022, "actual"),
    ("population", "chengdu", 21_192_000, "exact", 2021, "actual"),
    ("population_change", "chengdu", 245_000, "exact", 2021, "actual"),
    ("iot_company_count", "sichuan", 1500, "more_than", 2021, "actual"),
    ("investment", "guiyang", 1e9, "exact", 2017, "plan"),
    ("investment", "guizhou", 2e9, "close_to", 2017, "actual"),
    ("investment", "liangjiang_new_area", 5e9, "exact", 2019, "plan"),
    ("new_company_growth", "hangzhou", 107, "exact", 2014, "actual"),
    ("digital_economy_growth", "chongqing", 15.6, "exact", 2020, "actual"),
    ("blockchain_base_company_count", "yuzhong_district", 40, "exact", 2020, "actual"),
    ("designated_tech_hub_count", "china", 17, "exact", 2017, "actual"),
]


@pytest.mark.parametrize(
    ("metric", "place", "value", "comparator", "year", "value_type"), EXPECTED_NUMBERS
)
def test_facts_match_an_independent_reading(
    con, metric, place, value, comparator, year, value_type
):
    rows = con.execute(
        "select value, comparator, year, value_type from fct_metric_observation "
        "where metric_id = ? and place_id = ? and value_type = ? and value = ?",
        [metric, place, value_type, value],
    ).fetchall()
    assert rows == [(pytest.approx(value), comparator, year, value_type)]


def test_money_keeps_the_articles_usd_and_normalises(con):
    lenovo = con.execute(
        "select value_cny, value_usd, usd_stated, round(usd_implied_rate, 3), fx_rate from fct_metric_observation "
        "where firm_id = 'lenovo' and metric_id = 'investment'"
    ).fetchone()
    assert (
        lenovo[0] == 5e9
        and lenovo[2] == pytest.approx(741.3e6)
        and lenovo[3] == pytest.approx(6.745)
    )
    assert lenovo[1] == pytest.approx(5e9 / lenovo[4])
    apple = con.execute(
        "select investment_usd, investment_cny, status, presence_type from fct_firm_presence where firm_id = 'apple'"
    ).fetchone()
    assert apple[0] == 1e9 and apple[1] > 6e9 and apple[2:] == ("announced", "data_centre")


def test_every_quote_is_at_its_offsets_in_the_article(con, built):
    rows = con.execute(
        "select e.source_id, s.file_name, e.evidence_quote, e.evidence_start, e.evidence_end "
        "from fct_fact_evidence e join dim_source s using (source_id)"
    ).fetchall()
    assert len(rows) >= 60
    for _, file_name, quote, start, end in rows:
        text = (built.seeds_dir / "articles" / file_name).read_text(encoding="utf-8")
        assert " ".join(text[start:end].split()) == " ".join(quote.split())


def test_same_statement_in_two_articles_is_one_fact(con):
    assert con.execute("select statement_id, source_count from fct_statement").fetchall() == [
        ("lenovo-southwest-china-standout", 2)
    ]


def test_correction_recorded_not_copied(con):
    assert con.execute(
        "select place_type from dim_place where place_id = 'guizhou'"
    ).fetchone() == ("province",)
    assert con.execute(
        "select stated_value, corrected_value, status from dq_corrections"
    ).fetchall() == [("city", "province", "applied")]


def test_relative_periods_resolved_from_article_date(con):
    rows = dict(
        con.execute(
            "select fact_id, period_resolution from fct_metric_observation "
            "where fact_id in ('lenovo-chongqing-5g-hq-investment', 'chongqing-digital-economy-growth-2020h1')"
        ).fetchall()
    )
    assert (
        "'last year' from statement date 2020-10-14 -> 2019"
        in rows["lenovo-chongqing-5g-hq-investment"]
    )
    assert "2020-H1" in rows["chongqing-digital-economy-growth-2020h1"]


def test_opens_read_only_from_another_process_while_held(built, con):
    code = textwrap.dedent(f"""
        import duckdb
        c = duckdb.connect({str(built.published_path)!r}, read_only=True)
        print(c.execute("select count(*) from fct_metric_observation").fetchone()[0])
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (
        int(out.stdout) == con.execute("select count(*) from fct_metric_observation").fetchone()[0]
    )


def _markdown(columns: list[str], rows: list[tuple]) -> str:
    """A result as the README prints it."""

    def cell(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return str(v).lower()
        if isinstance(v, float):
            return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
        text = str(v).replace("|", "\\|")
        return text if len(text) <= 90 else text[:87] + "..."

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def test_readme_example_queries_give_the_answers_it_prints(con):
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r"```sql\n(.*?)```\n\n(\|.*?)\n\n", readme, flags=re.S)
    assert len(examples) >= 8
    for sql, printed in examples:
        rel = con.sql(sql)
        assert _markdown(rel.columns, rel.fetchall()) == printed.strip(), (
            f"README answer is stale:\n{sql}"
        )


# -- refreshes that must leave everything as it was --------------------------------------


BAD_INPUTS = {
    "quote not in article": (
        "facts/inland-innovation-2022.yml",
        "Sichuan had more than 1,500 IoT",
        "Sichuan had over 1,500 IoT",
    ),
    "value does not match quote": (
        "facts/inland-innovation-2022.yml",
        "value: 1500",
        "value: 1600",
    ),
    "unknown place": ("facts/inland-innovation-2022.yml", "place: sichuan", "place: szechuan"),
    "unknown metric": (
        "facts/inland-innovation-2022.yml",
        "metric: iot_company_count",
        "metric: iot_count",
    ),
    "malformed file": (
        "facts/inland-innovation-2022.yml",
        "numbers:\n",
        "numbers:\n  - [unclosed\n",
    ),
    "changed article": (
        "articles/inland-innovation-2022.txt",
        "more than 1,500 IoT",
        "more than 2,500 IoT",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_changes_nothing(warehouse_copy, case):
    rel, old, new = BAD_INPUTS[case]
    edit(warehouse_copy.seeds_dir, rel, old, new)
    before = {p: sha256(p) for p in (warehouse_copy.published_path, warehouse_copy.staging_path)}
    record = refresh(warehouse_copy)
    assert record.exit_code == EXIT_INVALID_INPUT and record.stage == "validate"
    assert "inland-innovation-2022" in record.error and "nothing was loaded" in record.error
    assert {p: sha256(p) for p in before} == before
    assert not any(warehouse_copy.build_root.iterdir())


def refresh_fails_in_dbt(warehouse_copy, project):
    """Refresh the warehouse with another dbt project; the build must fail and publish nothing.
    Returns the run record, whose error says why."""
    settings = Settings(
        seeds_dir=warehouse_copy.seeds_dir,
        warehouse_dir=warehouse_copy.warehouse_dir,
        project_dir=project,
    )
    before = sha256(settings.published_path)
    record = refresh(settings)
    assert record.exit_code == EXIT_BUILD_FAILED and record.stage == "dbt build"
    assert sha256(settings.published_path) == before
    assert not any(settings.build_root.iterdir())
    return record


def test_a_model_dbt_cannot_parse_fails_the_build(warehouse_copy, tmp_path):
    """The parse made while staging loads fails too; dbt parses again and its error is shown."""
    project = copy_project(tmp_path / "project")
    edit(
        project,
        "models/marts/dim_firm.sql",
        "select * from final",
        "select * from {{ ref('no_such_model') }}",
    )
    record = refresh_fails_in_dbt(warehouse_copy, project)
    assert "no_such_model" in record.error and "dim_firm" in record.error, record.error


def test_failing_dbt_test_is_not_published(warehouse_copy, tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "tests/dbt/assert_no_wuhan_facts.sql").write_text(
        "select * from {{ ref('fct_metric_observation') }} where city_id = 'wuhan'\n"
    )
    record = refresh_fails_in_dbt(warehouse_copy, project)
    assert "assert_no_wuhan_facts" in record.error


# A mart that breaks a declared constraint: DuckDB refuses the rows as the mart is written
# (the data tests that would check the same rule run only on engines that do not enforce it).
BROKEN_CONSTRAINTS = {
    "null in a not-null column": (
        "models/marts/dim_firm.sql",
        "        firm_name,",
        "        cast(null as varchar) as firm_name,",
        "NOT NULL constraint failed: dim_firm.firm_name",
    ),
    "duplicate primary key": (
        "models/marts/dim_metric.sql",
        "select * from final",
        "select * from final union all select * from final",
        "PRIMARY KEY or UNIQUE constraint violation: duplicate key",
    ),
    "foreign key to nothing": (
        "models/marts/fct_firm_presence.sql",
        "        firm_id,\n        place_id,\n        city_id,",
        "        'no-such-firm' as firm_id,\n        place_id,\n        city_id,",
        "foreign key",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CONSTRAINTS))
def test_a_broken_constraint_fails_the_build(warehouse_copy, tmp_path, case):
    rel, old, new, message = BROKEN_CONSTRAINTS[case]
    project = copy_project(tmp_path / "project")
    edit(project, rel, old, new)
    record = refresh_fails_in_dbt(warehouse_copy, project)
    assert message in record.error, record.error


def test_changed_fact_is_published_and_revision_kept(warehouse_copy):
    edit(
        warehouse_copy.seeds_dir,
        "facts/inland-innovation-2022.yml",
        "notes: According to a report in Chengdu Daily",
        "notes: Per a report in Chengdu Daily",
    )
    record = refresh(warehouse_copy)
    assert record.status == "success", record.error
    assert record.changes["changed"] == 1 and record.previous
    assert record.dbt["parsed_while_loading"] == 1  # dbt did not parse the project again
    con = duckdb.connect(str(warehouse_copy.published_path), read_only=True)
    note = con.execute(
        "select notes from fct_metric_observation "
        "where fact_id = 'chengdu-chongqing-electronic-information-share-2022'"
    ).fetchone()[0]
    con.close()
    assert note.startswith("Per a report")
    st = duckdb.connect(str(warehouse_copy.staging_path), read_only=True)
    assert (
        st.execute(
            "select count(*) from fact_revision where fact_id = "
            "'chengdu-chongqing-electronic-information-share-2022'"
        ).fetchone()[0]
        == 2
    )
    st.close()
    # and the same inputs again: nothing to do. The publish remembered the new file's
    # fingerprint, so the first refresh after it, as a process, does not even import DuckDB.
    probe = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from etl.build.refresh import refresh
        from etl.settings import Settings
        record = refresh(Settings(seeds_dir=Path({str(warehouse_copy.seeds_dir)!r}),
                                  warehouse_dir=Path({str(warehouse_copy.warehouse_dir)!r})))
        print(record.status, "duckdb" in sys.modules)
    """)
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.split() == ["up_to_date", "False"], proc.stderr
    again = refresh(warehouse_copy)
    assert again.status == "up_to_date" and again.exit_code == 0


@pytest.mark.parametrize("cancels", [True, False])
def test_a_refresh_of_invalid_seeds_cancels_dbts_parse(tmp_path, seeds_copy, monkeypatch, cancels):
    """dbt's warmup (etl/build/dbt.py) is held before its parse until validation has failed;
    the refresh then cancels it, so dbt never runs. Without the cancel (the control), the
    held warmup goes on and parses: this test would see it."""
    from etl.build.dbt import DbtWarmup

    edit(seeds_copy, "facts/inland-innovation-2022.yml", "numbers:\n", "numbers:\n  - [unclosed\n")
    settings = Settings(seeds_dir=seeds_copy, warehouse_dir=tmp_path / "wh")
    monkeypatch.setenv("TECHHUBS_PAUSE_AT", "dbt-parse")
    monkeypatch.setenv("TECHHUBS_PAUSE_SECONDS", "5")  # validation fails well before
    if not cancels:
        monkeypatch.setattr(DbtWarmup, "cancel", lambda self: self)
    record = refresh(settings)
    assert record.exit_code == EXIT_INVALID_INPUT and record.stage == "validate"
    assert (settings.warehouse_dir / ".paused-dbt-parse").exists()  # it was held there
    assert (settings.dbt_log_dir / "dbt.log").exists() is not cancels  # dbt ran, or not
