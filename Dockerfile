# syntax=docker/dockerfile:1
# SkyDesk: the Streamlit app. Migrates (and seeds an empty database) on start, then serves
# on 8501; Prometheus metrics on SKYDESK_METRICS_PORT (9100 in compose and Kubernetes).

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/home/skydesk \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_HEADLESS=true \
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
EXPOSE 8501 9100
# The image has no curl; Python's urllib does the same check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
