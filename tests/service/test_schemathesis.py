"""Issue 14: schemathesis against the served OpenAPI document, on both databases: no 500
for any generated request, and every response matches the document (a few generated
requests per operation, so the run stays short)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from tests.service.conftest import Service

pytestmark = pytest.mark.slow
EXAMPLES = 6
CONTENT_CHECKED = {
    "POST /api/cases/validate",
    "POST /api/cases",
    "POST /api/cases/import",
    "PUT /api/cases/{case_id}",
    "POST /api/cases/{case_id}/import",
    "POST /api/cases/{case_id}/uploads",
}
"""Operations whose input is checked beyond its JSON Schema (a case's cross-field rules, a
mesh or DICOM file's content): a schema-valid request may rightly be 422 there, so only
schemathesis's "schema-valid data is accepted" check is left out; every other check runs."""


def _property(op: Any, headers: dict[str, str], excluded: list[Any]) -> Any:
    """The hypothesis test of one operation: generated requests, every response checked."""

    @given(case=op.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    return check


def test_api_conforms_to_its_openapi_document(service: Service) -> None:
    h = service.user("Clinic A", "a@a.org", "admin")
    cid = service.import_example(h)
    assert service.client.post(f"/api/cases/{cid}/plans", headers=h).status_code == 201
    schema = schemathesis.openapi.from_asgi("/openapi.json", service.client.app, headers=h)
    failures: dict[str, str] = {}
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 25
    for op in operations:
        if op.label == "DELETE /api/auth/token":
            continue  # it would log the test's token out

        excluded = [positive_data_acceptance] if op.label in CONTENT_CHECKED else []
        check = _property(op, h, excluded)
        try:
            check()
        except (
            Exception,
            BaseExceptionGroup,
        ) as exc:  # every failing operation is listed, not only the first
            failures[op.label] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items()) + str(
        sorted(failures)
    )
