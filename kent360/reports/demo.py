"""Demo data of the reports app: neighbourhood boundaries and rollups for Bornova.

The boundaries are generated, not surveyed: Bornova's neighbourhoods laid out on a
jittered grid around the district centre, so neighbouring polygons share their edges.
"""

from __future__ import annotations

import random
from typing import Any

from kent360.core.demo.data import NEIGHBOURHOODS
from kent360.organizations.models import Organisation

CENTRE = (38.4697, 27.2211)
SPAN = (0.06, 0.08)  # degrees of latitude / longitude covered, like the demo requests
COLUMNS = 6


def grid_shape(n: int, columns: int = COLUMNS) -> tuple[int, int]:
    return columns, -(-n // columns)


def _corners(cols: int, rows: int, seed: int) -> dict[tuple[int, int], tuple[float, float]]:
    rng = random.Random(seed)
    lat0, lon0 = CENTRE[0] - SPAN[0] / 2, CENTRE[1] - SPAN[1] / 2
    dlat, dlon = SPAN[0] / rows, SPAN[1] / cols
    corners = {}
    for r in range(rows + 1):
        for c in range(cols + 1):
            inner = 0 < r < rows and 0 < c < cols
            jitter_lat = rng.uniform(-0.3, 0.3) * dlat if inner else 0.0
            jitter_lon = rng.uniform(-0.3, 0.3) * dlon if inner else 0.0
            corners[(r, c)] = (lon0 + c * dlon + jitter_lon, lat0 + r * dlat + jitter_lat)
    return corners


def demo_boundaries(names: list[str] | None = None, seed: int = 3535) -> dict[str, Any]:
    """A GeoJSON FeatureCollection with one polygon per neighbourhood name."""
    names = names or list(NEIGHBOURHOODS)
    cols, rows = grid_shape(len(names))
    corners = _corners(cols, rows, seed)
    features = []
    for i, name in enumerate(names):
        r, c = divmod(i, cols)
        ring = [corners[(r, c)], corners[(r, c + 1)], corners[(r + 1, c + 1)], corners[(r + 1, c)]]
        coords = [[round(x, 6), round(y, 6)] for x, y in ring]
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "Polygon", "coordinates": [[*coords, coords[0]]]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def neighbourhood_cell(lat: float, lon: float, names: list[str] | None = None) -> str:
    """The neighbourhood whose (unjittered) grid cell holds the point; for generators."""
    names = names or list(NEIGHBOURHOODS)
    cols, rows = grid_shape(len(names))
    lat0, lon0 = CENTRE[0] - SPAN[0] / 2, CENTRE[1] - SPAN[1] / 2
    r = min(rows - 1, max(0, int((lat - lat0) / (SPAN[0] / rows))))
    c = min(cols - 1, max(0, int((lon - lon0) / (SPAN[1] / cols))))
    return names[min(len(names) - 1, r * cols + c)]


def load_demo() -> dict[str, int]:
    """Boundaries for Bornova (if none were uploaded) and fresh rollups for every demo org."""
    import json

    from kent360.reports import rollups, services
    from kent360.reports.models import BoundarySet, ReportSettings

    written = 0
    bornova = Organisation.objects.filter(slug="bornova").first()
    if bornova is not None:
        if not BoundarySet.objects.filter(organisation=bornova).exists():
            services.boundaries_upload(
                organisation=bornova, actor=None, raw=json.dumps(demo_boundaries()).encode()
            )
        ReportSettings.objects.get_or_create(
            organisation=bornova, defaults={"transparency_public": True}
        )
    for org in Organisation.objects.filter(slug__in=["bornova", "izmir", "tehran6"]):
        written += rollups.rollup_rebuild(organisation=org)
    rollups.rollup_mark_all_done()
    return {"rollup_rows": written}
