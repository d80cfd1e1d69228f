"""Page N of a FHIR search: `_count` for the size, then the Bundle's `next` links (remembered)."""

from __future__ import annotations

from typing import Any

from adapters.fhir.errors import json_resource, raise_for_status
from adapters.fhir.session import FhirSession
from domain.ports.emr import EmrRejected

MAX_REMEMBERED = 256


def next_link(bundle: dict[str, Any]) -> str | None:
    for link in bundle.get("link") or []:
        if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
            return str(link["url"])
    return None


def resources(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    """The matches of a searchset Bundle (included resources and outcomes left out)."""
    found = []
    for entry in bundle.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        mode = (entry.get("search") or {}).get("mode", "match") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == resource_type and mode == "match":
            found.append(resource)
    return found


class SearchPager:
    """Walks `next` links to reach a page; remembers each page's link so browsing on is one call."""

    def __init__(self, session: FhirSession, resource_type: str) -> None:
        self._session = session
        self._type = resource_type
        self._links: dict[tuple[int, int], str] = {}

    async def page(self, page: int, page_size: int) -> dict[str, Any]:
        """The Bundle of page `page` (1-based); past the last page, a Bundle without entries."""
        if not any(size == page_size and p <= page for (size, p) in self._links):
            return await self._walk(page, page_size, use_remembered=False)
        try:
            return await self._walk(page, page_size, use_remembered=True)
        except EmrRejected:  # a remembered link may have expired on the server: start over once
            self._links.clear()
            return await self._walk(page, page_size, use_remembered=False)

    async def _walk(self, page: int, page_size: int, *, use_remembered: bool) -> dict[str, Any]:
        start = max((p for (size, p) in self._links if size == page_size and p <= page), default=1)
        link = self._links.get((page_size, start)) if use_remembered else None
        if link is None:
            start = 1
        bundle = await self._get(link or self._type, None if link else {"_count": page_size})
        current = start
        while current < page:
            link = next_link(bundle)
            if link is None:
                return {**bundle, "entry": []}
            current += 1
            self._remember(page_size, current, link)
            bundle = await self._get(link, None)
        return bundle

    async def _get(self, path: str, params: dict[str, Any] | None) -> dict[str, Any]:
        action = f"search {self._type}"
        response = await self._session.request("GET", path, action=action, params=params)
        raise_for_status(response, action)
        return json_resource(response, "Bundle", action)

    def _remember(self, page_size: int, page: int, link: str) -> None:
        if len(self._links) >= MAX_REMEMBERED:
            self._links.pop(next(iter(self._links)))
        self._links[(page_size, page)] = link
