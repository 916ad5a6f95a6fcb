"""docker-compose.yml as deployed: no demo logins unless asked, nothing serves before migrations ran."""

from pathlib import Path

import yaml

COMPOSE = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())


def test_web_worker_and_beat_wait_for_the_migrate_one_shot():
    services = COMPOSE["services"]
    assert "migrate" in services["migrate"]["command"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in services[name]["command"]


def test_demo_data_loads_only_with_demo_1():
    services = COMPOSE["services"]
    assert all("seed_demo" not in s.get("command", "") for n, s in services.items() if n != "migrate")
    command = services["migrate"]["command"]
    # seed_demo runs only inside the DEMO=1 branch of the migrate one-shot.
    assert r"if [ \"$$DEMO\" = 1 ]; then python manage.py seed_demo; fi" in command
    assert services["web"]["environment"]["DEMO"] == "${DEMO:-0}"


def test_debug_is_off_by_default():
    assert COMPOSE["services"]["web"]["environment"]["DEBUG"] == "${DEBUG:-false}"
