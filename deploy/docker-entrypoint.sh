#!/bin/sh
# Container start: migrate (and seed an empty database) once across replicas, then serve.
# With SKYDESK_BOOTSTRAP=0 the first step does nothing: a separate step migrated as the tables'
# owner (compose's migrate service, the k8s init container) and the app connects as its own
# role, which may not.
set -eu
python /app/deploy/bootstrap_locked.py
exec streamlit run /app/app.py --server.port 8501 --server.address 0.0.0.0 "$@"
