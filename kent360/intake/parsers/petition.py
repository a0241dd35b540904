"""Paper petitions (dilekçe): a scan read by Tesseract, then confirmed by staff."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from kent360.intake import images  # noqa: F401 - registers the HEIF opener
from kent360.intake.models import InboundMessage
from kent360.intake.parsers import Parsed, ParseError, first_line

OCR_LANGUAGES = "tur+fas+eng"
MAX_PAGES = 10


def pages_of(data: bytes) -> list[Image.Image]:
    """The scan as page images: a PDF is rendered at 300 dpi with pdftoppm."""
    if data.startswith(b"%PDF-"):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "scan.pdf"
            src.write_bytes(data)
            done = subprocess.run(
                ["pdftoppm", "-r", "300", "-png", "-l", str(MAX_PAGES), str(src), f"{tmp}/page"],
                capture_output=True,
                timeout=120,
                check=False,
            )
            if done.returncode != 0:
                raise ParseError(
                    _("The PDF cannot be read: %(e)s")
                    % {"e": done.stderr.decode(errors="replace")[:300]}
                )
            return [Image.open(p).copy() for p in sorted(Path(tmp).glob("page*.png"))]
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ParseError(_("The scan is neither a PDF nor an image.")) from exc
    return [image]


def ocr(image: Image.Image) -> tuple[str, float]:
    """Text (lines kept) and mean word confidence (0-100) of one page."""
    import pytesseract

    data = pytesseract.image_to_data(
        image.convert("L"), lang=OCR_LANGUAGES, output_type=pytesseract.Output.DICT
    )
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences = []
    for i, word in enumerate(data["text"]):
        conf = float(data["conf"][i])
        if not word.strip() or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append(word)
        confidences.append(conf)
    text = "\n".join(" ".join(words) for _key, words in sorted(lines.items()))
    return text, (sum(confidences) / len(confidences) if confidences else 0.0)


def parse_petition(message: InboundMessage) -> Parsed:
    pages = pages_of(message.read_raw())
    if not pages:
        raise ParseError(_("The scan has no pages."))
    texts, confs = [], []
    for page in pages:
        text, conf = ocr(page)
        texts.append(text)
        confs.append(conf)
    text = "\n\n".join(t for t in texts if t).strip()
    confidence = round(sum(confs) / len(confs), 1)
    if not text:
        raise ParseError(_("No text could be read from the scan; type it in by hand."))
    return Parsed(
        channel="petition",
        subject=first_line(text),
        text=text,
        needs_review=True,
        extra={"ocr_confidence": confidence, "ocr_pages": len(pages)},
    )
