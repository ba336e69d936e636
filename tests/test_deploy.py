"""Deployment files, checked by parsing (no container engine here): the Dockerfile, the compose
file and the Kubernetes manifests agree with each other and with the settings the app reads."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from sqlalchemy import text

from config import Settings

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
HEALTH = "/_stcore/health"
API_PORT = 8000  # the channel API's, in the image (tests/test_deploy_api.py)
REQUIRED_ENV = {
    "SKYDESK_DATABASE_URL",
    "SKYDESK_REDIS_URL",
    "SKYDESK_ENVIRONMENT",
    "SKYDESK_COOKIE_KEY",
    "SKYDESK_CHECKPOINT_KEY",
    "SKYDESK_MODEL_PROVIDER",
    "SKYDESK_METRICS_PORT",
}


def settings_env_names() -> set[str]:
    return {f"SKYDESK_{name.upper()}" for name in Settings.model_fields}


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, args = line.partition(" ")
            out.append((instruction.upper(), args.strip()))
    return out


def test_dockerfile_base_user_healthcheck_and_entrypoint() -> None:
    steps = dockerfile()
    assert [a.split()[0] for i, a in steps if i == "FROM"] == ["python:3.11-slim"] * 2
    users = [a for i, a in steps if i == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert "--uid 10001" in next(a for i, a in steps if i == "RUN" and "useradd" in a)
    health = next(a for i, a in steps if i == "HEALTHCHECK")
    assert 'CMD ["python", "/app/deploy/healthcheck.py"]' in health
    assert {"8501", str(API_PORT)} <= set(next(a for i, a in steps if i == "EXPOSE").split())
    entrypoint = yaml.safe_load(next(a for i, a in steps if i == "ENTRYPOINT"))
    assert entrypoint == ["/app/deploy/docker-entrypoint.sh"]
    assert yaml.safe_load(next(a for i, a in steps if i == "CMD")) == ["desk"]


def run_entrypoint(tmp_path: Path, *args: str) -> tuple[int, list[str]]:
    """deploy/docker-entrypoint.sh with `python` and `streamlit` stubs that log their command
    line (and the API's host setting): what the container would run, without running it."""
    log = tmp_path / "commands.log"
    for name in ("python", "streamlit"):
        stub = tmp_path / name
        stub.write_text(f'#!/bin/sh\necho "{name} $* host=${{SKYDESK_API_HOST:-}}" >> {log}\n')
        stub.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin"}
    script = ROOT / "deploy" / "docker-entrypoint.sh"
    done = subprocess.run([str(script), *args], env=env, capture_output=True, check=False)
    return done.returncode, log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize("args", [(), ("desk",), ("--server.maxUploadSize", "5")])
def test_entrypoint_migrates_then_serves_the_desk_on_all_interfaces(tmp_path, args) -> None:
    assert os.access(ROOT / "deploy" / "docker-entrypoint.sh", os.X_OK)
    code, (bootstrap, serve) = run_entrypoint(tmp_path, *args)
    assert code == 0
    assert bootstrap.startswith("python /app/deploy/bootstrap_locked.py ")
    argv = serve.split()
    assert argv[:3] == ["streamlit", "run", "/app/app.py"]
    assert argv[argv.index("--server.port") + 1] == "8501"
    assert argv[argv.index("--server.address") + 1] == "0.0.0.0"
    assert ("--server.maxUploadSize" in argv) == ("--server.maxUploadSize" in args)


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "data/*"} <= set(ignored)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_wires_app_to_postgres_and_redis(compose) -> None:
    services = compose["services"]
    assert {"app", "postgres", "redis", "migrate"} <= set(services)
    app = services["app"]
    env = app["environment"]
    assert set(env) >= REQUIRED_ENV
    assert set(env) <= settings_env_names(), "compose sets a variable the app does not read"
    assert (
        urlsplit(env["SKYDESK_DATABASE_URL"].replace("${POSTGRES_PASSWORD:-skydesk}", "x")).hostname
        == "postgres"
    )
    assert urlsplit(env["SKYDESK_REDIS_URL"]).hostname == "redis"
    assert app["deploy"]["replicas"] >= 2
    assert any(str(p).endswith(":8501") for p in app["ports"])
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert HEALTH in " ".join(app["healthcheck"]["test"])
    assert services["migrate"]["image"] == app["image"]
    # The owner migrates, then gives the app role its (append-only audit) rights.
    migrate = services["migrate"]["entrypoint"][-1]
    assert migrate == "python /app/deploy/bootstrap_locked.py && python -m db.app_role skydesk_app"
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def k8s_docs() -> dict[str, dict[str, Any]]:
    """Every object under kind/name; under its bare kind, the desk's (named skydesk) or else
    the first of its kind (the app's Secret before the owner's)."""
    docs: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                kind, name = doc["kind"], doc.get("metadata", {}).get("name", "")
                docs[f"{kind}/{name}"] = doc
                if kind not in docs or name == "skydesk":
                    docs[kind] = doc
    return docs


@pytest.fixture(scope="module")
def k8s() -> dict[str, dict[str, Any]]:
    return k8s_docs()


def test_kustomization_lists_every_manifest(k8s) -> None:
    listed = set(k8s["Kustomization"]["resources"])
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}


def test_deployment_replicas_ports_probes_and_config(k8s) -> None:
    deployment = k8s["Deployment"]
    assert deployment["spec"]["replicas"] > 1
    pod = deployment["spec"]["template"]
    assert (
        deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    )
    (container,) = pod["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 8501, "metrics": 9100}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert (check["path"], ports[check["port"]]) == (HEALTH, 8501)
    refs = {
        (kind, source[kind]["name"])
        for source in container["envFrom"]
        for kind in ("configMapRef", "secretRef")
        if kind in source
    }
    assert refs == {
        ("configMapRef", k8s["ConfigMap"]["metadata"]["name"]),
        ("secretRef", k8s["Secret"]["metadata"]["name"]),
    }
    security = pod["spec"]["securityContext"]
    assert security["runAsNonRoot"] and security["runAsUser"] == 10001
    assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_environment_names_are_settings_the_app_reads(k8s) -> None:
    config = k8s["ConfigMap"]["data"]
    secret = k8s["Secret"]["stringData"]
    names = set(config) | set(secret)
    assert names <= settings_env_names()
    assert names >= REQUIRED_ENV
    assert config["SKYDESK_ENVIRONMENT"] == "production"
    assert not set(config) & set(secret)
    # Only placeholders are committed.
    assert all("CHANGE-ME" in value for value in secret.values())
    assert {"SKYDESK_COOKIE_KEY", "SKYDESK_DATABASE_URL", "SKYDESK_OPENAI_API_KEY"} <= set(secret)


def test_metrics_port_is_annotated_for_prometheus(k8s) -> None:
    annotations = k8s["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    port = k8s["ConfigMap"]["data"]["SKYDESK_METRICS_PORT"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == port == "9100"
    assert annotations["prometheus.io/path"] == "/metrics"


def test_service_keeps_a_browser_on_its_pod(k8s) -> None:
    service = k8s["Service"]["spec"]
    assert service["sessionAffinity"] == "ClientIP"
    assert service["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"] >= 3600
    pod_labels = k8s["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= pod_labels.items()
    assert {p["targetPort"] for p in service["ports"]} == {"http", "metrics"}
    ingress = k8s["Ingress"]
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    backends = {
        p["path"]: p["backend"]["service"] for p in ingress["spec"]["rules"][0]["http"]["paths"]
    }
    assert backends["/"] == {"name": k8s["Service"]["metadata"]["name"], "port": {"name": "http"}}


def test_autoscaler_and_disruption_budget(k8s) -> None:
    hpa = k8s["HorizontalPodAutoscaler"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == k8s["Deployment"]["metadata"]["name"]
    assert 1 < hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    assert k8s["PodDisruptionBudget"]["spec"]["maxUnavailable"] == 1


def load_script(name: str):
    """A deploy/ script as the image runs it (by path, not as a package module)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "deploy" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_bootstrap_locked():
    return load_script("bootstrap_locked")


def test_bootstrap_runs_one_replica_at_a_time(engine) -> None:
    module = load_bootstrap_locked()
    if engine.dialect.name != "postgresql":
        with module.bootstrap_lock(engine):
            pass  # SQLite: a single writer already; the lock is a no-op
        return
    try_lock = text("SELECT pg_try_advisory_lock(:k)")
    with engine.connect() as other:
        with module.bootstrap_lock(engine):
            assert other.scalar(try_lock, {"k": module.LOCK_KEY}) is False
        assert other.scalar(try_lock, {"k": module.LOCK_KEY}) is True
        other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": module.LOCK_KEY})


def test_only_the_migrate_step_holds_the_owners_database_credentials(k8s, compose) -> None:
    """The app connects as the app role (append-only audit trail); the owner's URL, which could
    lift the audit triggers, reaches only the step that migrates."""
    owner = k8s["Secret/skydesk-owner"]
    assert set(owner["stringData"]) == {"database-url", "app-role-password"}
    pod = k8s["Deployment"]["spec"]["template"]["spec"]
    (init,) = pod["initContainers"]
    from_owner = {
        e["name"]: e["valueFrom"]["secretKeyRef"]["name"] for e in init["env"] if "valueFrom" in e
    }
    assert from_owner == {
        "SKYDESK_DATABASE_URL": "skydesk-owner",
        "SKYDESK_APP_DB_PASSWORD": "skydesk-owner",
    }
    for container in pod["containers"]:
        refs = [s.get("secretRef", {}).get("name") for s in container.get("envFrom", [])]
        assert "skydesk-owner" not in refs
        assert {"name": "SKYDESK_BOOTSTRAP", "value": "0"} in container["env"]
    services = compose["services"]
    assert "skydesk_app:" in services["app"]["environment"]["SKYDESK_DATABASE_URL"]
    assert "skydesk:" in services["migrate"]["environment"]["SKYDESK_DATABASE_URL"]
    assert services["app"]["environment"]["SKYDESK_BOOTSTRAP"] == "0"


def test_bootstrap_off_leaves_the_database_alone(tmp_path, monkeypatch) -> None:
    """SKYDESK_BOOTSTRAP=0 (the app role's containers): no migration, not even a connection."""
    from config import get_settings

    target = tmp_path / "never.db"
    monkeypatch.setenv("SKYDESK_BOOTSTRAP", "0")
    monkeypatch.setenv("SKYDESK_DATABASE_URL", f"sqlite:///{target}")
    get_settings.cache_clear()
    try:
        assert load_bootstrap_locked().main() == 0
    finally:
        get_settings.cache_clear()
    assert not target.exists()
