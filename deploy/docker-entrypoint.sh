#!/bin/sh
# Container start: migrate (and seed an empty database) once across replicas, then serve.
# SKYDESK_BOOTSTRAP=0 where a separate step migrates as the tables' owner (compose's migrate
# service, the k8s init container) and the app connects as its own role, which may not.
set -eu
if [ "${SKYDESK_BOOTSTRAP:-1}" != "0" ]; then
    python /app/deploy/bootstrap_locked.py
fi
exec streamlit run /app/app.py --server.port 8501 --server.address 0.0.0.0 "$@"
