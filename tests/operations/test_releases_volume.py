"""Releases on the compose stack: one volume, written by one web container and served by all of them."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_every_web_server_sees_the_one_releases_volume():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    web = {name: service for name, service in compose["services"].items() if name.startswith("web")}

    assert sorted(web) == ["web", "web-scaled-1", "web-scaled-2", "web-scaled-3"]
    assert {name: service["volumes"] for name, service in web.items()} == dict.fromkeys(web, ["releases:/app/releases"])
    assert {service["environment"]["CHANCERY_RELEASES_DIR"] for service in web.values()} == {"/app/releases"}
    assert "releases" in compose["volumes"]
    # The app's user owns the directory the volume starts from, so `manage.py release` may write to it.
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "RUN mkdir -p /app/releases && chown chancery /app/releases" in dockerfile
    assert dockerfile.index("chown chancery /app/releases") < dockerfile.index("USER chancery")
