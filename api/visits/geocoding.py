"""Addresses to coordinates through geopy, each address asked once (the answer, found or not, is cached).

Configuration, read when needed:
``FIELDLOOP_GEOCODER`` — a geopy service name (``nominatim``, ``arcgis``, ``baiduv3``, ...); unset: no geocoding;
``FIELDLOOP_GEOCODER_DOMAIN`` and ``FIELDLOOP_GEOCODER_SCHEME`` — where the service lives (a self-hosted
Nominatim, say); ``FIELDLOOP_GEOCODER_API_KEY`` — passed as ``api_key`` to services that need one;
``FIELDLOOP_GEOCODER_USER_AGENT`` (default ``fieldloop``); ``FIELDLOOP_GEOCODER_TIMEOUT_S`` (default 5).
A service that fails leaves the address unplaced for this request and caches nothing, so it is asked again.
Negative answers are kept for ``NOT_FOUND_TTL``: an address that a person corrects gets a new cache key anyway.
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import timedelta

from geopy.exc import GeopyError
from geopy.geocoders import get_geocoder_for_service
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.db.models import GeocodeCache
from api.db.types import utcnow

log = logging.getLogger("fieldloop.visits.geocoding")
NOT_FOUND_TTL = timedelta(days=7)
MAX_LOOKUPS_PER_REQUEST = 10


def normalise(address: str) -> str:
    return " ".join(address.split()).lower()[:500]


class Geocoder:
    """The configured geocoder with its cache, for one request's session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.service = os.environ.get("FIELDLOOP_GEOCODER") or None
        domain = os.environ.get("FIELDLOOP_GEOCODER_DOMAIN") or ""
        self.provider = f"{self.service}:{domain}"[:200]
        self._lookups = 0
        self._client: object | None = None

    def _geocoder(self) -> object:
        if self._client is None:
            cls = get_geocoder_for_service(self.service)
            options: dict[str, object] = {
                "timeout": float(os.environ.get("FIELDLOOP_GEOCODER_TIMEOUT_S") or 5),
                "user_agent": os.environ.get("FIELDLOOP_GEOCODER_USER_AGENT") or "fieldloop",
            }
            for name, env in (("domain", "DOMAIN"), ("scheme", "SCHEME"), ("api_key", "API_KEY")):
                if value := os.environ.get(f"FIELDLOOP_GEOCODER_{env}"):
                    options[name] = value
            try:
                self._client = cls(**options)
            except TypeError:
                # Not every geocoder takes every option (user_agent, domain): keep those it accepts.
                options.pop("user_agent", None)
                self._client = cls(**{k: v for k, v in options.items() if k != "domain"})
        return self._client

    async def locate(self, address: str | None) -> tuple[float, float] | None:
        """(lat, lon) of an address, from the cache or the service; None when unknown or not configured."""
        if not address or not address.strip() or self.service is None:
            return None
        query = normalise(address)
        cached = (
            await self.session.execute(
                select(GeocodeCache).where(GeocodeCache.provider == self.provider, GeocodeCache.query == query)
            )
        ).scalar_one_or_none()
        if cached is not None:
            if cached.found and cached.lat is not None and cached.lon is not None:
                return cached.lat, cached.lon
            if cached.created_at > utcnow() - NOT_FOUND_TTL:
                return None
            await self.session.execute(delete(GeocodeCache).where(GeocodeCache.id == cached.id))
        if self._lookups >= MAX_LOOKUPS_PER_REQUEST:
            return None
        self._lookups += 1
        try:
            found = await asyncio.to_thread(self._geocoder().geocode, address.strip())  # type: ignore[attr-defined]
        except (GeopyError, OSError, ValueError) as exc:
            log.warning("geocoder %s failed: %s", self.service, exc)
            return None
        point = (float(found.latitude), float(found.longitude)) if found is not None else None
        try:
            # A savepoint: should a parallel request have cached the same address, that answer is as good.
            async with self.session.begin_nested():
                self.session.add(
                    GeocodeCache(
                        provider=self.provider, query=query, lat=point[0] if point else None,
                        lon=point[1] if point else None, found=point is not None,
                    )
                )  # fmt: skip
        except IntegrityError:
            log.info("address cached meanwhile: %s", query)
        return point
