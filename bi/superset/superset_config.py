"""Superset's settings for `make superset-check` (SUPERSET_CONFIG_PATH points here).

Local and throw-away: the metadata database is SQLite in TECHHUBS_SUPERSET_STATE (default
warehouse/.superset/, made anew by each run), the secret key comes from SUPERSET_SECRET_KEY (a
new one per run), and scripts/superset_check.py starts the server on 127.0.0.1 only.
"""

import os
from pathlib import Path

_STATE = Path(
    os.environ.get(
        "TECHHUBS_SUPERSET_STATE", Path(__file__).resolve().parents[2] / "warehouse" / ".superset"
    )
)

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_STATE / 'superset.db'}?check_same_thread=false"
UPLOAD_FOLDER = str(_STATE / "uploads")

# SQL Lab runs queries in the web process (no Celery): give a slow query time to finish
SQLLAB_TIMEOUT = 300
SUPERSET_WEBSERVER_TIMEOUT = 300

# one local process: in-memory rate-limit counters, no HTTPS-only headers
RATELIMIT_STORAGE_URI = "memory://"
TALISMAN_ENABLED = False
CONTENT_SECURITY_POLICY_WARNING = False
