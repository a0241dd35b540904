from __future__ import annotations

import gzip
import io
import json

from django.core.management import call_command

from .conftest import PAGES, SEEDS


def run(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("media", "extract", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_extract_seeds_without_org(db, tmp_path):
    gz = tmp_path / "004.txt.gz"
    gz.write_bytes(gzip.compress(next(SEEDS.glob("004_*.txt")).read_bytes()))
    rows = run(
        str(next(SEEDS.glob("000_*.txt"))),
        str(next(SEEDS.glob("003_*.txt"))),
        str(gz),
        str(PAGES / "fa_shahrdari_1256.html"),
        str(tmp_path / "missing.html"),
        "--org",
        "no-such-org",
        "--watch",
        "Samandağ;Lütfü Savaş|Başkan Savaş;Bornova Belediyesi;جمالی نژاد",
    )
    assert [r["date"] for r in rows] == [
        "2018-02-10",
        "2021-05-17",
        "2021-02-11",
        "2021-05-17",
        None,
    ]
    assert {m["entity"] for m in rows[0]["mentions"]} == {"Samandağ", "Lütfü Savaş"}
    assert rows[2]["mentions"][0] == {
        "entity": "Bornova Belediyesi",
        "text": "Bornova Belediyesi",
        "sentence": rows[2]["mentions"][0]["sentence"],
    }
    assert rows[2]["mentions"][0]["sentence"].startswith("Bornova Belediyesi, toplumsal katılım")
    assert rows[1]["language"] == "fa" and rows[1]["mentions"][0]["entity"] == "جمالی نژاد"
    assert set(rows[0]) >= {
        "path",
        "url",
        "title",
        "text",
        "date",
        "author",
        "language",
        "mentions",
        "tone",
    }
    assert "error" in rows[4] and rows[4]["mentions"] == []


def test_extract_uses_the_org_watch_list(org):
    from kent360.media import services

    services.watch_entity_create(
        organisation=org, name="Mustafa İduğ", kind="mayor", aliases=["İduğ"]
    )
    rows = run(
        str(next(SEEDS.glob("004_*.txt"))),
        "--org",
        org.slug,
        "--watch",
        "Dramalılar Köşkü",
        "--url",
        "https://example.test/a",
    )
    entities = [m["entity"] for m in rows[0]["mentions"]]
    assert "Mustafa İduğ" in entities and "Dramalılar Köşkü" in entities
    assert rows[0]["url"] == "https://example.test/a"
