# syntax=docker/dockerfile:1
# SkyDesk: one image, two servers. Migrates (and seeds an empty database) on start, then serves
# the desk (Streamlit, `desk`, the default) on 8501 or the channel API (uvicorn, `api`: `docker
# run IMAGE api`) on 8000. The desk's Prometheus metrics on SKYDESK_METRICS_PORT (9100 in compose
# and Kubernetes); the API serves its own at /metrics.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The exact versions of requirements.lock (requirements.txt only holds the lower bounds).
COPY requirements.lock /tmp/requirements.lock
RUN pip install --no-deps -r /tmp/requirements.lock

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/home/skydesk \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none \
    STREAMLIT_CLIENT_SHOW_ERROR_DETAILS=none
RUN groupadd --system --gid 10001 skydesk \
    && useradd --system --uid 10001 --gid skydesk --home-dir /home/skydesk --create-home skydesk
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --chown=skydesk:skydesk . /app
# Bytecode compiled at build time: the root filesystem may be read-only at run time.
RUN python -m compileall -q /app /opt/venv \
    && mkdir -p /app/data/audit-anchors \
    && chown skydesk:skydesk /app/data /app/data/audit-anchors \
    && chmod 0755 /app/deploy/docker-entrypoint.sh
USER skydesk
EXPOSE 8501 8000 9100
# The desk's /_stcore/health, or the API's /healthz in an `api` container (no curl: urllib).
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "/app/deploy/healthcheck.py"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
CMD ["desk"]
