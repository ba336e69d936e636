"""Apply Alembic migrations programmatically: `python -m db.migrate [--database-url URL]`.

Every migration run also creates the coming months' partitions of the big tables on
PostgreSQL (db/partitions.py), so each start (world/bootstrap.py) and each deploy's migrate step
keeps them ahead of the clock."""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from config import get_settings
from db.engine import make_engine, normalize_url
from db.partitions import ensure_partitions

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def alembic_config(url: str) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        ensure_partitions(conn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=get_settings().database_url)
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    upgrade(engine)
    print(f"migrated {engine.url.render_as_string(hide_password=True)} to head")


if __name__ == "__main__":
    main()
