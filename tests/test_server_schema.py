"""Schemathesis over the server's own OpenAPI document: a bounded run, and no answer is ever a 5xx."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from server_harness import ServerThread
from server_models import served_settings

EXAMPLES_PER_OPERATION = 12


def test_no_server_errors_on_any_operation(tmp_path: Path) -> None:
    served = served_settings(tmp_path, api_keys=["fuzz-key"])
    with ServerThread(served) as server:
        root = server.url.removesuffix("/v1")
        schema = schemathesis.openapi.from_url(f"{root}/openapi.json")
        schema.config.update(base_url=root, headers={"Authorization": "Bearer fuzz-key"})
        operations = [result.ok() for result in schema.get_all_operations()]
        assert {operation.label for operation in operations} >= {"POST /v1/videos", "GET /v1/videos/{video_id}/content"}
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def no_server_error(case) -> None:
                case.call_and_validate(checks=[not_a_server_error])

            no_server_error()
