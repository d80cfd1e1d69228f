"""The features (features/*.feature) are read by clinicians and product owners: plain clinical language,
without protocol, status-code, unit-code or storage words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FEATURES = sorted((Path(__file__).resolve().parents[2] / "features").glob("*.feature"))
CODE_WORDS = {
    "protocol word": r"\b(JWTs?|bearer|tokens?|OAuth|HTTPS?|JSON|APIs?|endpoints?|URLs?|webhooks?|payloads?|"
                     r"headers?|FHIR|UUIDs?|scopes?|backend|requests?)\b",
    "status code": r"\b[1-5]\d\d\s+[A-Z][a-z]|\b(Created|Service Unavailable|Gateway Timeout|Bad Request|"
                   r"Not Found|Unprocessable|Unauthorized|Forbidden|Too Many Requests)\b|\bstatus codes?\b",
    "unit code": r"\w+\[\w+\]|(?<![\w/])/min\b",
    "storage or wire word": r"\b(database|SQL|message ids?)\b",
    "code identifier": r"\b[a-z]+_[a-z_]+\b",
}


def code_words(line: str) -> list[str]:
    """What in one line of Gherkin is a code word, by kind (tags, which name test selections, are not prose)."""
    if line.lstrip().startswith("@"):
        return []
    return [f"{kind}: {found.group(0)!r}" for kind, pattern in CODE_WORDS.items()
            for found in re.finditer(pattern, line, flags=re.IGNORECASE if kind != "status code" else 0)]


@pytest.mark.parametrize("feature", FEATURES, ids=lambda path: path.name)
def test_a_feature_reads_as_clinical_language(feature: Path) -> None:
    found = {f"line {number}": words for number, line in enumerate(feature.read_text().splitlines(), 1)
             if (words := code_words(line))}
    assert found == {}


@pytest.mark.parametrize("line", [
    "When the administrator tests JWT authentication",
    "Then a bearer token is issued for the requested scopes",
    'Then both pushes answered "201 Created"',
    'Then both pushes wait after "503 Service Unavailable"',
    "| normal blood-pressure reading | systolic pressure | 128 | mm[Hg] |",
    "| normal blood-pressure reading | pulse | 71 | /min |",
    "When the device cloud sends the same measurement again under a new message id",
    "When someone tries to change an entry of the audit trail in the database",
    "When the administrator tests the FHIR connection",
    "Then the answer is sent as JSON over HTTP",
    "Then the reading's retry_after is set",
])
def test_each_kind_of_code_word_is_found(line: str) -> None:
    assert code_words(line)


@pytest.mark.parametrize("line", [
    "@ehr_sync",
    "When Ada's cuff sends a reading of 128/82 mmHg with a pulse of 71",
    "Then Ada's chart shows a heart rate of 71 beats per minute",
    "| blood sugar in mmol/L | blood sugar | 6.4 | mmol/L |",
    "Then the chart entry for it shows 115 mg/dL taken before a meal",
    "Then the November 2026 billing shows 99453 and 99458 x2",
    "When Bram's pulse oximeter reads 89 percent",
])
def test_clinical_language_is_not_a_code_word(line: str) -> None:
    assert code_words(line) == []
