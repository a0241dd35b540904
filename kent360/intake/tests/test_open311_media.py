"""Open311 media_url: the photo is downloaded in the background onto the request.

Served by a real HTTP server on 127.0.0.1; loopback is refused unless the setting
KENT360_MEDIA_FETCH_ALLOWED_NETWORKS lists it, as a city's own media server would be.
"""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation
from PIL import Image

from kent360.core.netguard import address_allowed
from kent360.intake.fetch import FetchError, fetch_photo
from kent360.intake.keys import api_key_create
from kent360.intake.models import InboundMessage, Status
from kent360.requests.models import Request


class MediaServer:
    """Serves fixed bodies by path; ``/redirect`` points elsewhere."""

    def __init__(self, routes):
        self.routes = routes
        self.hits = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.hits.append(self.path)
                status, headers, body = server.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def media(photo):
    server = MediaServer(
        {
            "/cukur.jpg": (200, {"Content-Type": "image/jpeg"}, photo("JPEG", gps=(38.46, 27.21))),
            "/page.html": (200, {"Content-Type": "image/jpeg"}, b"<html>not a photo</html>"),
            "/big.jpg": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff" + b"0" * 3000),
        }
    )
    server.routes["/redirect"] = (302, {"Location": "/cukur.jpg"}, b"")
    yield server
    server.close()


@pytest.fixture
def local_allowed(settings):
    settings.KENT360_MEDIA_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    return settings


@pytest.fixture
def key(world):
    return api_key_create(organisation=world.org, name="app", scope="open311", actor=None)[1]


def _post(client, key, media_url):
    return client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "jurisdiction_id": "bornova",
            "service_code": "asfalt",
            "lat": "38.4621",
            "long": "27.2154",
            "description": "Çukur",
            "media_url": media_url,
        },
    )


def test_media_url_is_downloaded_cleaned_and_attached(
    world, client, key, media, local_allowed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, key, f"{media.url}/redirect")
    assert response.status_code == 200, response.content
    r = Request.objects.get()
    attachment = r.attachments.get()
    assert attachment.content_type == "image/jpeg" and attachment.original_name == "cukur.jpg"
    with attachment.file.open("rb") as fh:
        assert not Image.open(io.BytesIO(fh.read())).getexif()  # EXIF (owner, GPS) stripped
    message = InboundMessage.objects.get()
    assert message.parsed["media"]["status"] == "attached" and message.error == ""
    assert media.hits == ["/redirect", "/cukur.jpg"]
    # running the task again (a retry) attaches nothing more and fetches nothing
    from kent360.intake.services import inbound_fetch_media

    inbound_fetch_media(message_id=message.pk)
    assert r.attachments.count() == 1 and len(media.hits) == 2


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/page.html", "is not a JPEG, PNG or HEIC photo"),
        ("/missing.jpg", "answered 404"),
        ("/big.jpg", "too large"),
    ],
)
@translation.override("en")
def test_a_bad_media_url_is_recorded_and_the_request_still_created(
    world,
    client,
    key,
    media,
    local_allowed,
    settings,
    django_capture_on_commit_callbacks,
    path,
    reason,
):
    settings.KENT360_MAX_ATTACHMENT_BYTES = 2000
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, key, f"{media.url}{path}")
    assert response.status_code == 200
    r = Request.objects.get()
    assert r.attachments.count() == 0 and f"{media.url}{path}" in r.text
    message = InboundMessage.objects.get()
    assert message.status == Status.DONE and message.request == r
    assert message.parsed["media"]["status"] == "failed"
    assert reason in message.parsed["media"]["error"] and reason in message.error


@translation.override("en")
def test_private_addresses_and_other_schemes_are_refused(world, client, key, media, settings):
    settings.KENT360_MEDIA_FETCH_ALLOWED_NETWORKS = []
    with pytest.raises(FetchError, match="private network"):
        fetch_photo(f"{media.url}/cukur.jpg")
    with pytest.raises(FetchError, match="private network"):
        fetch_photo(f"http://localhost:{media.httpd.server_address[1]}/cukur.jpg")
    with pytest.raises(FetchError, match="Only http and https"):
        fetch_photo("file:///etc/passwd")
    with pytest.raises(FetchError, match="Only http and https"):
        fetch_photo("gopher://127.0.0.1/")
    assert media.hits == []  # nothing was even requested
    import ipaddress

    for private in ("10.0.0.5", "192.168.1.1", "169.254.169.254", "::1", "::ffff:10.0.0.1"):
        assert not address_allowed(ipaddress.ip_address(private)), private
    assert address_allowed(ipaddress.ip_address("1.1.1.1"))
    settings.KENT360_MEDIA_FETCH_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert address_allowed(ipaddress.ip_address("10.0.0.5"))


@translation.override("en")
def test_redirect_to_a_private_address_is_refused(world, media, local_allowed, settings):
    media.routes["/to-metadata"] = (302, {"Location": "http://169.254.169.254/latest/"}, b"")
    with pytest.raises(FetchError, match="private network"):
        fetch_photo(f"{media.url}/to-metadata")


@translation.override("en")
def test_a_temporary_failure_is_retried_by_the_sweep_until_the_photo_arrives(
    world, client, key, media, local_allowed, django_capture_on_commit_callbacks
):
    import time_machine
    from django.utils import timezone

    from kent360.intake.services import MEDIA_ATTEMPTS, inbound_sweep

    media.routes["/later.jpg"] = (503, {}, b"busy")
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, key, f"{media.url}/later.jpg")
    message = InboundMessage.objects.get()
    assert message.parsed["media"]["status"] == "retrying"
    assert "503" in message.parsed["media"]["error"]
    assert message.media_retry_at is not None and message.media_retry_at > start
    inbound_sweep()  # not due yet: nothing fetched
    assert media.hits == ["/later.jpg"]
    media.routes["/later.jpg"] = media.routes["/cukur.jpg"]
    with time_machine.travel(start + timezone.timedelta(minutes=2), tick=False):
        inbound_sweep()
    message.refresh_from_db()
    assert message.parsed["media"]["status"] == "attached" and message.error == ""
    assert message.media_retry_at is None  # off the sweep's index
    assert Request.objects.get().attachments.count() == 1
    assert len(media.hits) == 2 and MEDIA_ATTEMPTS > 1


@translation.override("en")
def test_a_server_that_stays_down_is_given_up_after_the_last_attempt(
    world, client, key, media, local_allowed, django_capture_on_commit_callbacks
):
    import time_machine
    from django.utils import timezone

    from kent360.intake.services import MEDIA_ATTEMPTS, inbound_sweep

    media.routes["/down.jpg"] = (502, {}, b"bad gateway")
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, key, f"{media.url}/down.jpg")
    for hours in range(1, 6):
        with time_machine.travel(start + timezone.timedelta(hours=hours), tick=False):
            inbound_sweep()
    message = InboundMessage.objects.get()
    assert message.parsed["media"]["status"] == "failed"
    assert message.parsed["media"]["attempts"] == MEDIA_ATTEMPTS == len(media.hits)
    assert message.media_retry_at is None
    assert Request.objects.get().attachments.count() == 0
