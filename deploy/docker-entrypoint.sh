#!/bin/sh
# Container start: migrate (and seed an empty database) once across replicas, then serve the desk
# (`desk`, the default) or the channel API (`api`): `docker run IMAGE api`, or run the outbox
# worker that delivers passenger notices (`worker`; any number of them). One process per
# container; `make run` is the launcher that runs both on one machine (deploy/serve.py).
# With SKYDESK_BOOTSTRAP=0 the first step does nothing: a separate step migrated as the tables'
# owner (compose's migrate service, the k8s init container) and the app connects as its own
# role, which may not. Arguments after `desk` (or starting with -) go to streamlit.
set -eu
python /app/deploy/bootstrap_locked.py
case "${1:-desk}" in
api)
    # The API listens on every interface inside the container; the port stays a setting.
    export SKYDESK_API_HOST="${SKYDESK_API_HOST:-0.0.0.0}"
    exec python -m api
    ;;
worker)
    exec python -m services.notifications deliver --loop 5
    ;;
desk | -*)
    [ "${1:-}" = desk ] && shift
    exec streamlit run /app/app.py --server.port 8501 --server.address 0.0.0.0 "$@"
    ;;
*)
    echo "usage: docker-entrypoint.sh [desk [streamlit options...] | api | worker]" >&2
    exit 64
    ;;
esac
