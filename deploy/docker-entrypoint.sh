#!/bin/sh
# Container start: migrate (and seed an empty database) once across replicas, then serve.
set -eu
python /app/deploy/bootstrap_locked.py
exec streamlit run /app/app.py --server.port 8501 --server.address 0.0.0.0 "$@"
