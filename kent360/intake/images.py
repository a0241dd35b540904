"""Photos from citizens and field teams: checked by content, GPS read, EXIF removed.

A photo's EXIF block can carry the phone model, the owner's name and the exact place
where it was taken; the location is useful to us (it becomes the request's position)
and everything else is personal data we do not keep, so the stored file is re-encoded
without any metadata.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from kent360.core.errors import DomainError

try:  # HEIC/HEIF (iPhone photos)
    from pillow_heif import register_heif_opener

    register_heif_opener()
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    pass

ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "HEIF": "image/heic"}
GPS_IFD = 0x8825
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class CleanPhoto:
    name: str
    content: bytes
    content_type: str
    latitude: float | None
    longitude: float | None


def _rational(value: object) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        return float(value[0]) / float(value[1]) if value[1] else 0.0
    return float(value)  # type: ignore[arg-type]


def _dms(values: object, ref: object) -> float | None:
    try:
        d, m, s = (_rational(v) for v in values)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = d + m / 60 + s / 3600
    if str(ref).upper().startswith(("S", "W")):
        result = -result
    return round(result, 7)


def gps_of(image: Image.Image) -> tuple[float | None, float | None]:
    """Latitude and longitude from the EXIF GPS block, if the photo has one."""
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # a damaged EXIF block is simply ignored
        return None, None
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    lat = _dms(gps.get(2), gps.get(1, "N"))
    lon = _dms(gps.get(4), gps.get(3, "E"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:
        return None, None
    return lat, lon


def clean_photo(name: str, data: bytes, *, max_bytes: int) -> CleanPhoto:
    """Validate a photo by its content and return it re-encoded without metadata."""
    if len(data) > max_bytes:
        raise DomainError(
            _("The photo %(name)s is too large (at most %(mb)d MB).")
            % {"name": name, "mb": max_bytes // (1024 * 1024)}
        )
    try:
        image = Image.open(io.BytesIO(data))
        fmt = image.format or ""
        if fmt not in ACCEPTED_FORMATS:
            raise DomainError(_("%(name)s is not a JPEG, PNG or HEIC photo.") % {"name": name})
        if image.width * image.height > MAX_PIXELS:
            raise DomainError(_("The photo %(name)s has too many pixels.") % {"name": name})
        lat, lon = gps_of(image)
        image = ImageOps.exif_transpose(image)  # type: ignore[assignment]
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError(_("%(name)s is not a JPEG, PNG or HEIC photo.") % {"name": name}) from exc
    out = io.BytesIO()
    stem = (name.rsplit(".", 1)[0] or "photo")[:100]
    if fmt == "PNG":
        # A fresh PNG carries only the pixels (no text chunks, no eXIf chunk).
        image.save(out, format="PNG")
        return CleanPhoto(f"{stem}.png", out.getvalue(), "image/png", lat, lon)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")  # type: ignore[assignment]
    image.save(out, format="JPEG", quality=88)
    return CleanPhoto(f"{stem}.jpg", out.getvalue(), "image/jpeg", lat, lon)
