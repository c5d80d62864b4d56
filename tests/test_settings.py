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
