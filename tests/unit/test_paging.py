"""Page numbers are bounded in the use cases too, so no caller can make an OFFSET overflow SQL."""

from __future__ import annotations

import pytest

from application.context import CLI
from application.import_patients import BrowseEmrPatients, BrowseEmrPatientsQuery
from application.queries import MAX_PAGE, MAX_PAGE_SIZE, PageQuery
from domain.errors import InvalidInput
from tests.support.world import World

INT32_MAX = 2**31 - 1


def test_the_largest_page_keeps_its_offset_inside_a_32_bit_integer() -> None:
    assert PageQuery(CLI, MAX_PAGE, MAX_PAGE_SIZE).offset == (MAX_PAGE - 1) * MAX_PAGE_SIZE
    assert (MAX_PAGE - 1) * 500 <= INT32_MAX  # the audit trail's page size, the largest of all


@pytest.mark.parametrize("page", [0, MAX_PAGE + 1, 2**63 + 1])
def test_a_page_out_of_bounds_is_invalid_input(page: int) -> None:
    with pytest.raises(InvalidInput):
        _ = PageQuery(CLI, page, 10).offset


async def test_browsing_the_emr_past_the_last_page_allowed_is_invalid_input(world: World) -> None:
    browse = BrowseEmrPatients(world.emr_directory, world.auditor)
    with pytest.raises(InvalidInput):
        await browse(BrowseEmrPatientsQuery(MAX_PAGE + 1, 10, CLI, "default"))
