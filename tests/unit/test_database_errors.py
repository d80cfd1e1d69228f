"""Database outages are told apart from bugs: 503 problems with Retry-After, never 500; the lease setting."""

from __future__ import annotations

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient
from sqlalchemy import exc as sa_exc

from adapters.sql.engine import is_connection_error
from entrypoints.http.problems import EXCEPTION_HANDLERS, PROBLEM_JSON
from entrypoints.settings import SettingsError, load_settings

# ------------------------------------------------------------------------ the app fixes these tests needed


@pytest.mark.parametrize(("error", "unavailable"), [
    (ConnectionRefusedError(111, "refused"), True),
    (ConnectionResetError(104, "reset"), True),
    (TimeoutError(), True),
    (sa_exc.OperationalError("SELECT 1", {}, ConnectionResetError()), True),
    (sa_exc.DBAPIError("SELECT 1", {}, Exception("closed"), connection_invalidated=True), True),
    (sa_exc.TimeoutError("QueuePool limit reached"), True),
    (sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key")), False),
    (sa_exc.ProgrammingError("SELEC 1", {}, Exception("syntax error")), False),
    (ValueError("bad input"), False),
])
def test_connection_errors_are_told_apart_from_other_database_errors(error: Exception, unavailable: bool) -> None:
    assert is_connection_error(error) is unavailable


def test_a_connection_error_is_found_behind_a_wrapper_but_not_in_an_unrelated_context() -> None:
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = ConnectionResetError(104, "reset")  # raise RuntimeError(...) from the reset
    assert is_connection_error(wrapped)
    bug = ValueError("a bug while handling something else")
    bug.__context__ = FileNotFoundError("elsewhere")  # raised inside `except FileNotFoundError:`
    assert not is_connection_error(bug)


@pytest.mark.parametrize(("error", "status"), [
    (ConnectionResetError(104, "reset"), 503),
    (sa_exc.InterfaceError("SELECT 1", {}, Exception("connection is closed"), connection_invalidated=True), 503),
    (sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key value (secret)")), 500),
    (RuntimeError("a bug"), 500),
])
def test_database_outages_are_503_problems_with_retry_after_and_bugs_stay_500(error: Exception,
                                                                                 status: int) -> None:
    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        raise error

    app = Litestar([boom], exception_handlers=EXCEPTION_HANDLERS)  # type: ignore[arg-type]
    with TestClient(app) as client:
        response = client.get("/boom")
    assert (response.status_code, response.json()["status"]) == (status, status)
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert ("retry-after" in response.headers) is (status == 503)
    assert "secret" not in response.text
    assert "SELECT" not in response.text


def test_the_lease_is_a_setting_and_must_be_positive() -> None:
    assert load_settings({}, env_file=None).worker_lease_seconds == 60
    assert load_settings({"VANTREXIA_WORKER_LEASE_SECONDS": "2.5"}, env_file=None).worker_lease_seconds == 2.5
    with pytest.raises(SettingsError, match="VANTREXIA_WORKER_LEASE_SECONDS"):
        load_settings({"VANTREXIA_WORKER_LEASE_SECONDS": "0"}, env_file=None)
