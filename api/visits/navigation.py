"""Turn-by-turn links for a stop: Google Maps, Apple Maps and AMap (高德).

Stored coordinates are WGS-84. AMap draws in GCJ-02, so its link, and only its link, carries the converted
point; Google and Apple take WGS-84 as it is.
"""

from __future__ import annotations

from urllib.parse import urlencode

import coordTransform

GOOGLE_MODES = {"drive": "driving", "walk": "walking", "transit": "transit", "bike": "bicycling"}
APPLE_MODES = {"drive": "d", "walk": "w", "transit": "r"}  # Apple's map links have no cycling flag
AMAP_MODES = {"drive": "car", "walk": "walk", "transit": "bus", "bike": "ride"}


def to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 (unchanged outside mainland China, as the conversion is defined)."""
    gcj_lon, gcj_lat = coordTransform.wgs84_to_gcj02(lon, lat)
    return float(gcj_lat), float(gcj_lon)


def links(lat: float, lon: float, name: str | None, mode: str) -> dict[str, str]:
    label = (name or "").replace(",", " ").strip()
    google = {"api": "1", "destination": f"{lat:.6f},{lon:.6f}", "travelmode": GOOGLE_MODES[mode]}
    apple = {"daddr": f"{lat:.6f},{lon:.6f}", **({"dirflg": APPLE_MODES[mode]} if mode in APPLE_MODES else {})}
    if label:
        apple["q"] = label
    gcj_lat, gcj_lon = to_gcj02(lat, lon)
    amap = {
        "to": f"{gcj_lon:.6f},{gcj_lat:.6f}" + (f",{label}" if label else ""),
        "mode": AMAP_MODES[mode],
        "coordinate": "gaode",
        "callnative": "1",
    }
    return {
        "google": "https://www.google.com/maps/dir/?" + urlencode(google),
        "apple": "https://maps.apple.com/?" + urlencode(apple),
        "amap": "https://uri.amap.com/navigation?" + urlencode(amap),
    }
