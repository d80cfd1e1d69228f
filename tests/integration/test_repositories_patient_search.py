"""Finding patients by part of their name and by their EMR ids, alike on the fakes, SQLite and Postgres."""

from __future__ import annotations

from dataclasses import replace

from domain.ports import UnitOfWork
from tests.integration.builders import patient


async def test_a_name_search_ignores_case_stays_in_the_practice_and_pages_by_name(uow: UnitOfWork) -> None:
    ada = replace(patient(), name="Ada Lovelace", practice_id="north")
    adam = replace(patient(), name="Adam Smith", practice_id="north")
    grace = replace(patient(), name="Grace Hopper", practice_id="north")
    south = replace(patient(), name="Madame South", practice_id="south")
    async with uow:
        for someone in (grace, adam, south, ada):
            await uow.patients.add(someone)
        await uow.commit()
    async with uow:
        first, total = await uow.patients.search("ADA", 0, 1, "north")
        second, _ = await uow.patients.search("ada", 1, 1, "north")
        everywhere, everywhere_total = await uow.patients.search("ada", 0, 10)
        nobody, none_total = await uow.patients.search("zed", 0, 10, "north")
    assert ([p.id for p in first], [p.id for p in second], total) == ([ada.id], [adam.id], 2)
    assert ([p.id for p in everywhere], everywhere_total) == ([ada.id, adam.id, south.id], 3)
    assert (list(nobody), none_total) == ([], 0)


async def test_wildcards_in_a_search_are_taken_literally(uow: UnitOfWork) -> None:
    plain, odd = replace(patient(), name="Ann Lee"), replace(patient(), name="Ann 100% Lee")
    async with uow:
        await uow.patients.add(plain)
        await uow.patients.add(odd)
        await uow.commit()
    async with uow:
        percent, _ = await uow.patients.search("%", 0, 10)
        underscore, _ = await uow.patients.search("Ann_", 0, 10)
    assert ([p.id for p in percent], list(underscore)) == ([odd.id], [])


async def test_patients_looked_up_by_many_emr_ids_at_once(uow: UnitOfWork) -> None:
    one, two = patient("emr-one"), patient("emr-two")
    async with uow:
        await uow.patients.add(one)
        await uow.patients.add(two)
        await uow.commit()
    async with uow:
        found = await uow.patients.by_emr_ids(["emr-two", "emr-missing", "emr-one"])
        empty = await uow.patients.by_emr_ids([])
    assert (found, empty) == ({"emr-one": one, "emr-two": two}, {})
