"""Generated documentation matches the models it is generated from."""

from etl.build.publish import EXTRA_TABLES, PUBLIC_TABLES
from etl.outputs.docs import data_dictionary
from etl.settings import PROJECT_DIR


def test_committed_data_dictionary_is_current():
    committed = (PROJECT_DIR / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert committed == data_dictionary(PROJECT_DIR), (
        "run `techhubs docs --no-site` and commit the result"
    )


def test_dictionary_covers_every_public_table_and_key():
    text = data_dictionary(PROJECT_DIR)
    for table in PUBLIC_TABLES + EXTRA_TABLES:
        assert f"## {table}\n" in text
    assert "| `observation_id` | varchar | PK |" in text
    assert "FK → dim_place.place_id" in text
