"""Every message, replies, edits and erasure find relayed messages through an index, never a
table scan.

Each look-up runs once per update, so a scan of every message ever relayed would slow every
message as the service ages (bench/relay_lookups.py measures the cost). The plans are those
of the statements the code runs (``relay.ARRIVAL`` / ``relay.ORIGINAL_OF_COPY`` /
``relay.COPY_OF_ORIGINAL`` / ``relay.sent_original`` / ``erasure.relayed_messages_of``), on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bench.relay_lookups import explain, seed, statements
from bot.models import RelayedMessage
from bot.relationships.relay import ARRIVAL

RECIPIENT_TARGET = "ix_relayed_message_recipient_target"
SENDER_SOURCE = "ix_relayed_message_sender_source"
EXPECTED = {
    # relay.arrival, on every message: also the person's relationships, by either side's index
    "arrival": {SENDER_SOURCE, "ix_relationship_service_user_id", "ix_relationship_peer_worker_id"},
    "reply_to": {RECIPIENT_TARGET},  # relay._delivery, relay._relationship_of_reply
    "reply_to_own": {SENDER_SOURCE},  # the same, for a reply to one's own message
    "edit": {SENDER_SOURCE},  # relay.copy_of
    "erasure": {SENDER_SOURCE, RECIPIENT_TARGET},  # erasure.erase: sent OR received
}


def _scans(plan: str) -> bool:
    return any(
        f"{scan} {table}" in plan
        for scan in ("SCAN", "Seq Scan on")
        for table in ("relayed_message", "relationship")
    )


@pytest.fixture
async def filled(database):
    _url, engine = database
    async with engine.begin() as connection:
        relayed = await seed(connection, rows=3_000, pairs=30)
    return engine, relayed


async def test_every_relay_look_up_uses_its_index(filled) -> None:
    engine, relayed = filled
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # A small table is cheaper to scan: ask whether an index *can* serve the query.
            await connection.execute(text("SET enable_seqscan = off"))
        for row in (relayed[0], relayed[len(relayed) // 2], relayed[-1]):
            for name, statement in statements(row).items():
                plan = await explain(connection, statement)
                assert not _scans(plan), f"{name} scans the table:\n{plan}"
                for index in EXPECTED[name]:
                    assert index in plan, f"{name} does not use {index}:\n{plan}"


async def test_without_the_indexes_the_same_look_ups_scan(filled) -> None:
    """The check above can fail: drop the indexes and the plans become scans."""
    engine, relayed = filled
    async with engine.begin() as connection:
        for index in (RECIPIENT_TARGET, SENDER_SOURCE):
            await connection.execute(text(f"DROP INDEX {index}"))
    async with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text("SET enable_seqscan = off"))
        plans = {name: await explain(connection, s) for name, s in statements(relayed[0]).items()}
    assert _scans(plans["reply_to"]) and _scans(plans["edit"]) and _scans(plans["erasure"])


async def test_the_look_ups_find_the_right_message(filled) -> None:
    engine, relayed = filled
    row = relayed[1234]
    async with engine.connect() as connection:
        found = statements(row)
        by_copy = (await connection.execute(found["reply_to"])).all()
        by_own = (await connection.execute(found["reply_to_own"])).all()
        by_original = (await connection.execute(found["edit"])).all()
    assert [tuple(hit) for hit in by_copy] == [(row["relationship_id"], row["source_message_id"])]
    assert [tuple(hit) for hit in by_own] == [(row["relationship_id"], row["target_message_id"])]
    columns = [c.name for c in RelayedMessage.__table__.columns if c.name != "id"]
    (hit,) = by_original
    assert {name: getattr(hit, name) for name in columns} == row


async def test_a_message_finds_its_senders_relationships_by_their_indexes_without_statistics(
    database,
) -> None:
    """The bot never gathers SQLite's planner statistics: without them, a look-up of the
    sender's relationships on either side must still go by the person's own indexes, not
    through every active relationship. (PostgreSQL gathers its own as tables fill; the test
    above checks its plans on an analysed database.)"""
    _url, engine = database
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans with the statistics its autovacuum gathers")
    async with engine.connect() as connection:
        plan = await explain(connection, ARRIVAL.params(telegram_id=1, message_id=1))
    assert "ix_relationship_service_user_id" in plan and "ix_relationship_peer_worker_id" in plan
    assert "ix_relationship_status" not in plan and not _scans(plan)
