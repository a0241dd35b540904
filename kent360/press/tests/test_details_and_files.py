"""Editing a draft's details, its main image (og:image) and public attachment downloads."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kent360.core.errors import DomainError
from kent360.organizations.models import Role
from kent360.press import services
from kent360.press.models import Release
from kent360.testing import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png(size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _draft(world) -> Release:
    return services.release_create(
        organisation=world.org,
        actor=world.staff[Role.PRESS_OFFICER],
        title="Yeni kütüphane açıldı",
        body="<p>Kütüphane hizmete girdi.</p>",
    )


def _publish(world, release: Release) -> Release:
    officer = world.staff[Role.PRESS_OFFICER]
    services.release_transition(release=release, actor=officer, action="submit")
    services.release_transition(
        release=release, actor=world.staff[Role.PR_MANAGER], action="approve"
    )
    return services.release_transition(release=release, actor=officer, action="publish")


def test_details_page_edits_tags_directorate_project_and_sets_the_image(world, client):
    release = _draft(world)
    login(client, world.staff[Role.PRESS_OFFICER])
    url = f"/press/{release.pk}/details/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "announcement",
            "tags": "kütüphane, kültür",
            "project": "Kültür Bornova",
            "directorate": world.fen.pk,
            "image": SimpleUploadedFile("kapak.png", _png(), "image/png"),
        },
    )
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.tag_list == ["kütüphane", "kültür"] and release.project == "Kültür Bornova"
    assert release.directorate == world.fen and release.kind == "announcement"
    assert release.image.name.endswith(".png")
    assert "kutuphane" in release.search_text  # the new tags are searchable
    # once submitted, the approved details are frozen
    services.release_transition(
        release=release, actor=world.staff[Role.PRESS_OFFICER], action="submit"
    )
    refused = client.post(url, {"kind": "release", "tags": "değişti"})
    assert refused.status_code == 200 and "alert-danger" in refused.content.decode()
    release.refresh_from_db()
    assert release.tags == "kütüphane, kültür"


def test_other_organisation_and_non_press_roles_cannot_open_the_details_page(world, client):
    release = _draft(world)
    login(client, world.other_staff[Role.PRESS_OFFICER])
    assert client.get(f"/press/{release.pk}/details/").status_code == 404
    login(client, world.staff[Role.AGENT])
    assert client.get(f"/press/{release.pk}/details/").status_code == 403
    assert client.post(f"/press/{release.pk}/details/", {"kind": "release"}).status_code == 403


def test_published_image_is_the_og_image_and_served_only_once_published(world, client):
    release = _draft(world)
    services.release_set_image(
        release=release,
        actor=world.staff[Role.PRESS_OFFICER],
        upload=SimpleUploadedFile("kapak.png", _png(), "image/png"),
    )
    image_url = f"/newsroom/bornova/{release.slug}/image/"
    assert client.get(image_url).status_code == 404  # a draft's image is not public
    _publish(world, release)
    page = client.get(f"/newsroom/bornova/{release.slug}/").content.decode()
    assert f'<meta property="og:image" content="http://testserver{image_url}">' in page
    response = client.get(image_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (64, 48)


@pytest.mark.parametrize(
    "data",
    [
        _png_claiming(8000, 8000),  # over our own 40 megapixel limit
        _png_claiming(30000, 30000),  # over Pillow's MAX_IMAGE_PIXELS bomb threshold
        _png()[:60],  # truncated
        b"%PDF-1.4 not an image",
    ],
    ids=["64mp", "900mp", "truncated", "pdf"],
)
def test_decompression_bombs_and_non_images_are_refused(world, data):
    release = _draft(world)
    with pytest.raises(DomainError):
        services.release_set_image(
            release=release,
            actor=world.staff[Role.PRESS_OFFICER],
            upload=SimpleUploadedFile("x.png", data, "image/png"),
        )
    release.refresh_from_db()
    assert not release.image


def test_attachments_download_only_while_the_release_is_published(world, client):
    release = _draft(world)
    pdf = b"%PDF-1.4\n% kent360 test\n"
    att = services.release_attach(
        release=release,
        actor=world.staff[Role.PRESS_OFFICER],
        upload=SimpleUploadedFile("program.pdf", pdf, "application/pdf"),
    )
    url = f"/newsroom/bornova/{release.slug}/files/{att.pk}/"
    assert client.get(url).status_code == 404
    _publish(world, release)
    page = client.get(f"/newsroom/bornova/{release.slug}/").content.decode()
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == pdf
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="program.pdf"' in response["Content-Disposition"]
    # another release's file through this release's address, or another organisation: 404
    other = _draft(world)
    other_att = services.release_attach(
        release=other,
        actor=world.staff[Role.PRESS_OFFICER],
        upload=SimpleUploadedFile("gizli.pdf", pdf, "application/pdf"),
    )
    assert client.get(f"/newsroom/bornova/{release.slug}/files/{other_att.pk}/").status_code == 404
    assert client.get(f"/newsroom/karsiyaka/{release.slug}/files/{att.pk}/").status_code == 404
    services.release_transition(
        release=release, actor=world.staff[Role.PRESS_OFFICER], action="archive"
    )
    assert client.get(url).status_code == 404
