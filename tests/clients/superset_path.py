"""What Superset does with a database connection, through SQLAlchemy and duckdb_engine.

usage: python superset_path.py URI ENGINE_PARAMS_JSON QUERIES_JSON   (prints JSON)
Run by tests/clients/test_clients.py in a process of its own, as Superset would be.
"""

import json
import sys

import sqlalchemy as sa


def main() -> None:
    uri, params = sys.argv[1], json.loads(sys.argv[2])
    with open(sys.argv[3]) as fh:
        queries = json.load(fh)
    engine = sa.create_engine(uri, **params)
    inspector = sa.inspect(engine)
    out = {
        "schemas": inspector.get_schema_names(),
        "tables": inspector.get_table_names(),
        "views": inspector.get_view_names(),
        "columns": {},
        "comments": {},
    }
    for table in out["tables"]:
        out["columns"][table] = [
            [c["name"], str(c["type"]), c["comment"]] for c in inspector.get_columns(table)
        ]
        out["comments"][table] = inspector.get_table_comment(table)["text"]
    with engine.connect() as conn:
        out["answers"] = [
            [
                [v if isinstance(v, int | float | bool) or v is None else str(v) for v in row]
                for row in rows
            ]
            for rows in (conn.execute(sa.text(q)).fetchall() for q in queries)
        ]
        out["primary_keys"] = conn.exec_driver_sql(
            "select count(*) from duckdb_constraints() where constraint_type = 'PRIMARY KEY'"
        ).scalar_one()
    engine.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
