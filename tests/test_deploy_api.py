"""The channel API's deployment, checked by parsing (tests/test_deploy.py does the desk's): the
image starts it as `api`, compose and Kubernetes run it beside the desk, and its port, health
path and probes agree everywhere with what the app serves."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import yaml

from api import routes_misc
from bench.ui_harness import free_port
from tests.test_deploy import API_PORT, ROOT, k8s_docs, load_script, run_entrypoint

HEALTHZ = "/healthz"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def k8s() -> dict[str, dict[str, Any]]:
    return k8s_docs()


def test_the_api_serves_the_health_path_every_probe_asks() -> None:
    assert HEALTHZ in {route.path for route in routes_misc.router.routes}  # type: ignore[attr-defined]


def test_entrypoint_api_migrates_then_serves_the_api_on_all_interfaces(tmp_path) -> None:
    code, commands = run_entrypoint(tmp_path, "api")
    assert code == 0
    assert commands[0].startswith("python /app/deploy/bootstrap_locked.py ")
    assert commands[1] == "python -m api host=0.0.0.0"
    (tmp_path / "other").mkdir()
    code, commands = run_entrypoint(tmp_path / "other", "nonsense")
    assert code != 0 and len(commands) == 1  # migrated, then refused the unknown server


def test_entrypoint_worker_migrates_then_delivers_notices_in_a_loop(tmp_path) -> None:
    code, commands = run_entrypoint(tmp_path, "worker")
    assert code == 0
    assert commands[1].startswith("python -m services.notifications deliver --loop 5")


@contextmanager
def health_server(status: dict[str, int]) -> Iterator[int]:
    """A local server answering each path with status[path] (404 otherwise)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status.get(self.path, 404))
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_image_healthcheck_asks_whichever_server_runs(monkeypatch) -> None:
    module = load_script("healthcheck")
    monkeypatch.setattr(module, "DESK", f"http://127.0.0.1:{free_port()}/_stcore/health")
    monkeypatch.setenv("SKYDESK_API_PORT", str(free_port()))
    assert module.main() == 1  # nothing listens: unhealthy
    status = {HEALTHZ: 200}
    with health_server(status) as port:
        monkeypatch.setenv("SKYDESK_API_PORT", str(port))
        assert module.main() == 0  # an `api` container
        status[HEALTHZ] = 503
        assert module.main() == 1  # the API answers, its database does not
        monkeypatch.setattr(module, "DESK", f"http://127.0.0.1:{port}/_stcore/health")
        status["/_stcore/health"] = 200
        assert module.main() == 0  # a desk container: asked first


def test_compose_runs_the_api_beside_the_desk(compose) -> None:
    services = compose["services"]
    api, app = services["api"], services["app"]
    assert api["image"] == app["image"] and api["command"] == ["api"]
    env = api["environment"]
    assert env["SKYDESK_API_HOST"] == "0.0.0.0" and int(env["SKYDESK_API_PORT"]) == API_PORT
    assert env["SKYDESK_BOOTSTRAP"] == "0" and "skydesk_app:" in env["SKYDESK_DATABASE_URL"]
    assert env["SKYDESK_API_TOKEN_KEY"].startswith("${SKYDESK_API_TOKEN_KEY:?")  # no default
    assert env["SKYDESK_DATABASE_URL"] == app["environment"]["SKYDESK_DATABASE_URL"]
    assert api["depends_on"] == app["depends_on"]  # after migrate, like the desk
    assert api["deploy"]["replicas"] >= 2
    assert all(str(p).endswith(f":{API_PORT}") for p in api["ports"])
    check = " ".join(api["healthcheck"]["test"])
    assert f"http://localhost:{API_PORT}{HEALTHZ}" in check
    origins = env["SKYDESK_API_CORS_ORIGINS"]
    assert "*" not in origins


def test_compose_runs_the_notice_worker_after_the_migration(compose) -> None:
    worker, app = compose["services"]["worker"], compose["services"]["app"]
    assert worker["image"] == app["image"] and worker["command"] == ["worker"]
    assert (
        worker["environment"]["SKYDESK_DATABASE_URL"] == app["environment"]["SKYDESK_DATABASE_URL"]
    )
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_k8s_runs_the_notice_worker_unprivileged(k8s) -> None:
    deployment = k8s["Deployment/skydesk-worker"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["worker"] and "ports" not in container
    assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["SKYDESK_BOOTSTRAP"] == "0"


def api_pod(k8s: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    deployment = k8s["Deployment/skydesk-api"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return deployment, container


def test_k8s_api_deployment_probes_port_replicas_and_security(k8s) -> None:
    deployment, container = api_pod(k8s)
    spec, desk = deployment["spec"], k8s["Deployment"]["spec"]["template"]
    assert spec["replicas"] == 2
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
    assert container["args"] == ["api"]
    assert container["image"] == desk["spec"]["containers"][0]["image"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": API_PORT}
    env = {e["name"]: e["value"] for e in container["env"]}
    assert int(env["SKYDESK_API_PORT"]) == API_PORT and env["SKYDESK_API_HOST"] == "0.0.0.0"
    assert env["SKYDESK_BOOTSTRAP"] == "0"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert (check["path"], ports[check["port"]]) == (HEALTHZ, API_PORT)
    annotations = spec["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(API_PORT)  # the API serves /metrics itself
    assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
    assert spec["template"]["spec"]["securityContext"] == desk["spec"]["securityContext"]
    assert container["securityContext"] == desk["spec"]["containers"][0]["securityContext"]
    assert container["envFrom"] == desk["spec"]["containers"][0]["envFrom"]
    # Its migrate step is the desk's (owner credentials there only).
    assert spec["template"]["spec"]["initContainers"] == desk["spec"]["initContainers"]


def test_k8s_api_service_ingress_and_kustomization(k8s) -> None:
    deployment, _ = api_pod(k8s)
    service = k8s["Service/skydesk-api"]["spec"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= pod_labels.items()
    assert service["selector"] != k8s["Service"]["spec"]["selector"]  # not the desk's pods
    assert [p["targetPort"] for p in service["ports"]] == ["http"]
    paths = k8s["Ingress"]["spec"]["rules"][0]["http"]["paths"]
    backends = {p["path"]: p["backend"]["service"] for p in paths}
    for path in ("/api", "/widget"):
        assert backends[path] == {"name": "skydesk-api", "port": {"name": "http"}}
    assert backends["/"]["name"] == "skydesk"
    listed = set(k8s["Kustomization"]["resources"])
    assert {"deployment-api.yaml", "service-api.yaml"} <= listed
    budget = k8s["PodDisruptionBudget/skydesk-api"]["spec"]
    assert budget["selector"]["matchLabels"].items() <= pod_labels.items()


def test_production_has_an_api_token_key_placeholder(k8s) -> None:
    secret = k8s["Secret"]["stringData"]
    assert "CHANGE-ME" in secret["SKYDESK_API_TOKEN_KEY"]
    assert secret["SKYDESK_API_TOKEN_KEY"] != secret["SKYDESK_COOKIE_KEY"]
    assert "*" not in k8s["ConfigMap"]["data"]["SKYDESK_API_CORS_ORIGINS"]
