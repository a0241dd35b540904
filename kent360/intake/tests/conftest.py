import io

import pytest
from PIL import Image


def _rational(x: float):
    from PIL.TiffImagePlugin import IFDRational

    return IFDRational(round(x * 10000), 10000)


def make_photo(fmt: str = "JPEG", gps: tuple[float, float] | None = None, size=(64, 48)) -> bytes:
    """A real photo; with ``gps`` it carries an EXIF GPS block and an owner name."""
    image = Image.new("RGB", size, (180, 90, 40))
    exif = Image.Exif()
    exif[0x013B] = "Ayşe Yılmaz"  # Artist: personal data that must not be stored
    if gps:
        lat, lon = gps
        exif.get_ifd(0x8825).update(
            {
                1: "N" if lat >= 0 else "S",
                2: (_rational(abs(lat)), _rational(0), _rational(0)),
                3: "E" if lon >= 0 else "W",
                4: (_rational(abs(lon)), _rational(0), _rational(0)),
            }
        )
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def photo():
    return make_photo
