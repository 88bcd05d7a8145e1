"""`/v1/models`: the models this server routes, each with its backend's capabilities."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from cinebrief.errors import NotFoundError
from cinebrief.jobs.engine import ModelInfo
from cinebrief.server.bodies import quoted
from cinebrief.server.deps import Authenticated, EngineDep
from cinebrief.server.openapi import errors

router = APIRouter(prefix="/v1/models", tags=["models"], dependencies=[Authenticated])


def _model(info: ModelInfo) -> dict[str, Any]:
    return {
        "id": info.name,
        "object": "model",
        "created": 0,
        "owned_by": "cinebrief",
        "backend": info.backend,
        "capabilities": info.capabilities.as_dict() if info.capabilities else None,
        "error": info.error,
        "workers": info.workers,
    }


@router.get("", operation_id="listModels", responses=errors(401))
def list_models(engine: EngineDep) -> JSONResponse:
    return JSONResponse({"object": "list", "data": [_model(info) for info in engine.models()]})


@router.get("/{model}", operation_id="retrieveModel", responses=errors(401, 404))
def retrieve_model(model: str, engine: EngineDep) -> JSONResponse:
    for info in engine.models():
        if info.name == model:
            return JSONResponse(_model(info))
    raise NotFoundError(f"The model '{quoted(model)}' does not exist on this server.", field="model")
