# syntax=docker/dockerfile:1
# PeerLink: a wheel built in one stage, installed in a slim runtime stage that has no
# compiler and no build tools, run as an unprivileged user.
#
#   docker build -t peerlink .
#   docker run --rm -v "$PWD/config.toml:/etc/peerlink/config.toml:ro" -v peerlink-data:/data \
#       --env-file deploy/peerlink.env peerlink
#
# The configuration is read from /etc/peerlink/config.toml (mount it read-only); secrets are
# better given as PEERLINK_* environment variables (deploy/peerlink.env.example). Other
# commands take the same --config: docker run ... peerlink peerlink migrate --config
# /etc/peerlink/config.toml. /data is the working directory and the only place the bot
# writes: the default SQLite URL (sqlite:///peerlink.db) is /data/peerlink.db, so
# mount a volume there. More than one process needs PostgreSQL (compose.yaml).

ARG PYTHON_IMAGE=python:3.11-slim

# -- build: the project's wheel, and wheels of everything it depends on --------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY matching ./matching
COPY migrations ./migrations
RUN pip wheel --wheel-dir /wheels .

# -- run ------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
# PEERLINK_HEALTHCHECK_URL is what HEALTHCHECK below asks. Webhook mode serves /healthz on
# webhook.port (8080 by default); polling mode only with [pipeline] health_port = 8080 (on
# 127.0.0.1, inside the container). Set it empty to switch the check off.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/peerlink/bin:$PATH \
    PEERLINK_HEALTHCHECK_URL=http://127.0.0.1:8080/healthz

# Installed from the builder's wheels alone (--no-index: nothing is fetched or compiled
# here). The wheels are mounted for this step only and never become part of the image.
# The wheel carries the migrations beside bot/; the last line fails the build if the
# installed package cannot find them, or they disagree with the revision the bot expects.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    python -m venv /opt/peerlink \
    && /opt/peerlink/bin/pip install --no-index --find-links=/wheels peerlink \
    && /opt/peerlink/bin/python -c "from bot.db import head_revision, migrations_head; \
assert migrations_head() == head_revision(), 'migrations out of step'"

RUN groupadd --system --gid 10001 peerlink \
    && useradd --system --uid 10001 --gid peerlink --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin peerlink \
    && mkdir -p /data /etc/peerlink \
    && chown peerlink:peerlink /data \
    && chmod 0750 /data
WORKDIR /data
USER peerlink:peerlink

# Webhook mode: peerlink run --webhook, with [webhook] listen = "0.0.0.0" and port = 8080.
EXPOSE 8080

# No curl in a slim image: Python's urllib asks /healthz; anything but a 200 is unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as r; u = os.environ.get('PEERLINK_HEALTHCHECK_URL'); sys.exit(0 if not u or r.urlopen(u, timeout=4).status == 200 else 1)"]

# On SIGTERM the bot lets what is being handled finish and stops within 10 s: allow 15
# (docker stop --time 15; stop_grace_period in compose.yaml).
STOPSIGNAL SIGTERM
CMD ["peerlink", "run", "--config", "/etc/peerlink/config.toml"]
