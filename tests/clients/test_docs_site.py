"""dbt's docs site for the published build: one self-contained page with every model and column."""

import json

import pytest

from etl.build.publish import PUBLIC_TABLES
from etl.outputs.docs import dbt_docs

pytestmark = pytest.mark.e2e


def test_dbt_docs_site(built, tmp_path):
    index = dbt_docs(built, tmp_path / "site")
    html = index.read_text(encoding="utf-8")
    catalog = json.loads((tmp_path / "site" / "catalog.json").read_text())
    manifest = json.loads((tmp_path / "site" / "manifest.json").read_text())
    nodes = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    for table in PUBLIC_TABLES:
        assert table in html
        assert nodes[table]["description"]
        assert all(c["description"] for c in nodes[table]["columns"].values()), table
        assert f"model.techhubs.{table}" in catalog["nodes"]  # the catalog read the built tables
    assert manifest["parent_map"]["model.techhubs.fct_city_metric_year"]  # lineage is there
