"""Benchmark the relay's look-ups by message id, with and without their indexes.

    python -m bench.relay_lookups --rows 500000 --json
    python -m bench.relay_lookups --database postgresql+asyncpg://postgres@127.0.0.1:5432/test

Every reply a worker sends (``relay._relationship_of_reply`` and ``relay._delivery``) and
every edit (``relay.copy_of``) looks one message up in ``relayed_message`` by the ids Telegram
gave us, and updates are handled one at a time, so a slow look-up stalls the whole bot.
Erasure deletes everything a person sent or received. This fills a throwaway database (a
temporary SQLite file, or a fresh schema in the PostgreSQL database given) with ``--rows``
relayed messages spread over ``--pairs`` relationships, runs the statements the code runs
(``relay.ARRIVAL``, ``relay.ORIGINAL_OF_COPY``, ``relay.COPY_OF_ORIGINAL``,
``relay.sent_original``, ``erasure.relayed_messages_of``) for
``--probes`` random messages, then drops the two composite indexes and runs them again.
Prints the median milliseconds of each, and the query plans, as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db import create_engine, upgrade_to_head
from bot.models import Person, Relationship, RelayedMessage
from bot.privacy.erasure import relayed_messages_of
from bot.relationships.relay import ARRIVAL, COPY_OF_ORIGINAL, ORIGINAL_OF_COPY, sent_original

INDEXES = ("ix_relayed_message_recipient_target", "ix_relayed_message_sender_source")
CHUNK = 5_000
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


async def seed(connection: AsyncConnection, rows: int, pairs: int) -> list[dict[str, int]]:
    """``pairs`` relationships (a service user and a worker each, ids from 1) and ``rows``
    relayed messages between them, in both directions, message ids rising in each chat as
    Telegram's do. Returns the relayed rows (without their ids)."""
    people = [
        {"id": i, "telegram_id": 10_000 + i, "created_at": NOW, "updated_at": NOW}
        for i in range(1, 2 * pairs + 1)
    ]
    await connection.execute(insert(Person), people)
    relationships = [
        {
            "id": r,
            "service_user_id": 2 * r - 1,
            "peer_worker_id": 2 * r,
            "status": "active",
            "created_at": NOW,
            "updated_at": NOW,
            "checklist": [],
        }
        for r in range(1, pairs + 1)
    ]
    await connection.execute(insert(Relationship), relationships)
    next_id = [1] * (2 * pairs + 1)  # each person's chat numbers its own messages
    relayed = []
    for n in range(rows):
        r = n % pairs + 1
        sender, recipient = (2 * r - 1, 2 * r) if n % 3 else (2 * r, 2 * r - 1)
        source, target = next_id[sender], next_id[recipient]
        next_id[sender] += 1
        next_id[recipient] += 1
        relayed.append(
            {
                "relationship_id": r,
                "sender_person_id": sender,
                "source_message_id": source,
                "recipient_person_id": recipient,
                "target_message_id": target,
                "created_at": NOW,
            }
        )
    for start in range(0, rows, CHUNK):
        await connection.execute(insert(RelayedMessage), relayed[start : start + CHUNK])
    await connection.execute(text("ANALYZE"))  # planner statistics, as a live database has
    return relayed


def statements(row: dict[str, int]) -> dict[str, Any]:
    """The look-ups the code runs, for one relayed message."""
    return {
        "arrival": ARRIVAL.params(  # every message: was this one relayed already?
            telegram_id=10_000 + row["sender_person_id"], message_id=row["source_message_id"]
        ),
        "reply_to": ORIGINAL_OF_COPY.params(
            person_id=row["recipient_person_id"], message_id=row["target_message_id"]
        ),
        "reply_to_own": COPY_OF_ORIGINAL.params(
            person_id=row["sender_person_id"], message_id=row["source_message_id"]
        ),
        "edit": sent_original(row["sender_person_id"], row["source_message_id"]),
        "erasure": relayed_messages_of(row["sender_person_id"]),
    }


def _sql(connection: AsyncConnection, statement: Any) -> str:
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    return str(compiled)


async def explain(connection: AsyncConnection, statement: Any) -> str:
    """The query plan, one line per step (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN)."""
    sql = _sql(connection, statement)
    if connection.dialect.name == "sqlite":
        rows = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")).all()
        return "\n".join(str(row[-1]) for row in rows)
    rows = (await connection.exec_driver_sql(f"EXPLAIN {sql}")).all()
    return "\n".join(str(row[0]) for row in rows)


async def _time(engine: AsyncEngine, statement: Any) -> float:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        started = time.perf_counter()
        await connection.execute(statement)
        elapsed = time.perf_counter() - started
        await transaction.rollback()  # the erasure's delete is measured, never kept
    return elapsed * 1000


async def measure(engine: AsyncEngine, probes: list[dict[str, int]]) -> dict[str, float]:
    timings: dict[str, list[float]] = {}
    for row in probes:
        for name, statement in statements(row).items():
            timings.setdefault(name, []).append(await _time(engine, statement))
    return {name: round(statistics.median(values), 3) for name, values in timings.items()}


async def plans(engine: AsyncEngine, row: dict[str, int]) -> dict[str, str]:
    async with engine.connect() as connection:
        return {name: await explain(connection, s) for name, s in statements(row).items()}


async def run(database: str | None, rows: int, pairs: int, probes: int, seed_: int) -> dict:
    schema = None
    if database:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(database)
        async with admin.begin() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = create_engine(database, connect_args={"server_settings": {"search_path": schema}})
        folder = None
    else:
        folder = tempfile.TemporaryDirectory()
        engine = create_engine(f"sqlite:///{Path(folder.name) / 'relay.db'}")
    try:
        await upgrade_to_head(engine)
        started = time.perf_counter()
        async with engine.begin() as connection:
            relayed = await seed(connection, rows, pairs)
        seeded = time.perf_counter() - started
        sample = random.Random(seed_).sample(relayed, min(probes, len(relayed)))
        with_index = await measure(engine, sample)
        with_plans = await plans(engine, sample[0])
        async with engine.begin() as connection:
            for name in INDEXES:
                await connection.execute(text(f"DROP INDEX {name}"))
            await connection.execute(text("ANALYZE"))
        without_index = await measure(engine, sample)
        without_plans = await plans(engine, sample[0])
    finally:
        await engine.dispose()
        if schema:
            async with admin.begin() as connection:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()
        if folder:
            folder.cleanup()
    return {
        "backend": engine.dialect.name,
        "rows": rows,
        "relationships": pairs,
        "probes": len(sample),
        "seed_seconds": round(seeded, 1),
        "with_index_ms": with_index,
        "without_index_ms": without_index,
        "plans_with_index": with_plans,
        "plans_without_index": without_plans,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000, help="relayed messages")
    parser.add_argument("--pairs", type=int, default=500, help="relationships")
    parser.add_argument("--probes", type=int, default=30, help="look-ups timed per statement")
    parser.add_argument("--database", help="a PostgreSQL URL (default: a temporary SQLite)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="JSON only (the default)")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.database, args.rows, args.pairs, args.probes, args.seed))
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
