"""GeoReport v2 documents in JSON and XML, element names exactly as in the specification."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: Element, name: str, value: Any, item_names: dict[str, str]) -> None:
    node = SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _fill(node, k, v, item_names)
    elif isinstance(value, list):
        child = item_names.get(name, name.rstrip("s"))
        for v in value:
            _fill(node, child, v, item_names)
    else:
        node.text = _text(value)


# Wrapper element and item element per document type (as in the spec's XML examples).
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def to_xml(root: str, data: Any) -> bytes:
    element = Element(root)
    if isinstance(data, list):
        for item in data:
            _fill(element, XML_ITEMS[root], item, XML_ITEMS)
    else:
        for k, v in data.items():
            _fill(element, k, v, XML_ITEMS)
    # The spec wants the declaration exactly as in its examples (double quotes).
    body: bytes = (
        b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="unicode").encode()
    )
    return body


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), content_type=XML_TYPE, status=status)
    import json

    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type=JSON_TYPE, status=status)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)
