"""Settings come from the environment; production passes `check --deploy` cleanly."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_extra={
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "x7!" * 20 + "production-like-secret",
            "ALLOWED_HOSTS": "cabildo.example.org",
            "DATABASE_URL": "sqlite:////tmp/cabildo-check.sqlite3",
            "REDIS_URL": "redis://127.0.0.1:6379/15",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage(
        "check",
        env_extra={"DJANGO_SETTINGS_MODULE": "config.settings.production",
                   "ALLOWED_HOSTS": "cabildo.example.org"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_cache_each_worker_would_count_alone():
    """Without REDIS_URL every gunicorn worker would keep its own throttle and login counts."""
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.production",
           "SECRET_KEY": "x7!" * 20 + "production-like-secret",
           "ALLOWED_HOSTS": "cabildo.example.org", "REDIS_URL": ""}
    refused = run_manage("check", env_extra=env)
    assert refused.returncode != 0
    assert "REDIS_URL must be set" in refused.stderr
    single_process = run_manage("check", env_extra={**env, "ALLOW_PER_PROCESS_CACHE": "true"})
    assert single_process.returncode == 0, single_process.stderr


DEMO_PROBE = """
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
missing = client.get("/no/such/page/anywhere/", HTTP_ACCEPT_LANGUAGE="en")
print("DEBUG", settings.DEBUG)
print("STATUS", missing.status_code)
print("OWN_404", "<h1>Page not found</h1>" in missing.content.decode())
print("URL_LIST", "URLconf" in missing.content.decode())
print("STATIC", client.get("/static/cabildo.css").status_code,
      client.get("/static/plotly/plotly.min.js").status_code)
"""


def test_the_demo_shows_the_sites_own_error_pages_and_serves_its_static_files(tmp_path):
    """`make demo` runs config.settings.demo: DEBUG off, so an unknown address is Cabildo's 404
    page (not Django's debug page listing every URL pattern), and WhiteNoise serves the static
    files that runserver no longer serves with DEBUG off."""
    result = run_manage("shell", "-c", DEMO_PROBE, env_extra={
        "DJANGO_SETTINGS_MODULE": "config.settings.demo",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"})
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    assert lines["DEBUG"] == "False"
    assert lines["STATUS"] == "404"
    assert lines["OWN_404"] == "True" and lines["URL_LIST"] == "False"
    assert lines["STATIC"] == "200 200"


def test_make_demo_serves_with_the_demo_settings():
    makefile = (ROOT / "Makefile").read_text()
    demo = makefile[makefile.index("\ndemo:"):].split("\n\n")[0]
    assert "DJANGO_SETTINGS_MODULE=config.settings.demo" in demo and "runserver" in demo
