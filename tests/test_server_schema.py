"""Schemathesis over the server's own OpenAPI document: a bounded run; no answer is a 5xx, and every answer
(status, content type, headers, body) is one the document states."""

from __future__ import annotations

from pathlib import Path

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server_harness import ServerThread
from server_models import served_settings

EXAMPLES_PER_OPERATION = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


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
                case.call_and_validate(checks=CHECKS)

            no_server_error()


def test_the_document_states_the_wire(tmp_path: Path) -> None:
    served = served_settings(tmp_path, api_keys=["fuzz-key"])
    with ServerThread(served) as server:
        root = server.url.removesuffix("/v1")
        document = httpx.get(f"{root}/openapi.json").json()
        for page in ("/docs", "/redoc"):  # their scripts would come from a CDN
            assert httpx.get(f"{root}{page}").status_code == 404
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "One of server.api_keys.",
    }
    create = document["paths"]["/v1/videos"]["post"]
    assert set(create["responses"]) == {"200", "400", "401", "404", "409", "413", "429"}
    error = create["responses"]["400"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorEnvelope"}
    json_body = create["requestBody"]["content"]["application/json"]["schema"]
    assert json_body["additionalProperties"] is False and json_body["properties"]["prompt"]["maxLength"] == 32000
    assert json_body["properties"]["input_reference"]["anyOf"][0]["properties"]["image_url"]["pattern"] == "^data:"
    multipart = create["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert multipart["properties"]["input_reference"] == {"type": "string", "format": "binary"}
    listing = {param["name"]: param["schema"] for param in document["paths"]["/v1/videos"]["get"]["parameters"]}
    assert listing["limit"]["maximum"] == 100 and listing["limit"]["minimum"] == 0
    lint = document["paths"]["/v1/lint"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert lint["additionalProperties"] is False and lint["properties"]["model"]["anyOf"][0]["maxLength"] == 200
    operations = [operation for path in document["paths"].values() for operation in path.values()]
    assert all("422" not in operation["responses"] for operation in operations)
