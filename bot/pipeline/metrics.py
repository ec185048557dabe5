"""What an on-call engineer watches, as Prometheus metrics (served on /metrics).

Each process has its own registry, so tests can run several bots in one interpreter. Figures
that live in the database (backlogs, the oldest unacknowledged safety flag) are read when
/metrics is scraped, never on the hot path."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.received = Counter(
            "peerlink_updates_received", "Updates stored in the inbox", registry=self.registry
        )
        self.handled = Counter(
            "peerlink_updates_handled",
            "Updates finished, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.retried = Counter(
            "peerlink_update_retries",
            "Handling attempts that will be tried again, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "peerlink_handling_seconds",
            "Time from an update's arrival in the inbox to the end of its handling",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
            registry=self.registry,
        )
        self.sends = Counter(
            "peerlink_sends", "Bot API sends, by outcome", ["outcome"], registry=self.registry
        )
        self.inbox_backlog = Gauge(
            "peerlink_inbox_backlog", "Updates stored and not yet handled", registry=self.registry
        )
        self.outbox_backlog = Gauge(
            "peerlink_outbox_backlog", "Scheduled messages not yet sent", registry=self.registry
        )
        self.oldest_flag_age = Gauge(
            "peerlink_oldest_unacknowledged_flag_seconds",
            "Age of the oldest safety flag nobody has acknowledged (0 when none)",
            registry=self.registry,
        )
        self.last_sweep_age = Gauge(
            "peerlink_last_sweep_age_seconds",
            "Seconds since the scheduler's sweeps last finished",
            registry=self.registry,
        )
