"""Each owner's studio: its stored briefs and its runs, in a folder of its own.

The local owner's briefs and runs (a server without API keys) live at the top of the data folder, where
they always have; an API key's live under `tenants/<owner id>/` (the owner id is a hash of the key, never
the key). A run's clips are made as its owner's videos, so the key that started a run sees its takes
through `/v1` and no other key does; an admin key sees every key's videos but has briefs and runs of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cinebrief.jobs.engine import Engine
from cinebrief.jobs.owners import LOCAL, LOCAL_OWNER, Owner
from cinebrief.workflows.brief_store import BriefStore
from cinebrief.workflows.service import EngineService
from cinebrief.workflows.studio_runs import RUNS_FOLDER, StudioRuns

TENANTS_FOLDER = "tenants"


class StudioSpaces:
    """The briefs and runs of every owner of one server, each made on first use."""

    def __init__(self, data_dir: Path, engine: Engine, *, models: Callable[[], Mapping[str, Any]]) -> None:
        self.data_dir = data_dir
        self.engine = engine
        self.models = models
        self._lock = threading.Lock()
        self._briefs: dict[str, BriefStore] = {}
        self._runs: dict[str, StudioRuns] = {}

    def folder(self, owner_id: str) -> Path:
        return self.data_dir if owner_id == LOCAL_OWNER else self.data_dir / TENANTS_FOLDER / owner_id

    def briefs(self, owner: Owner) -> BriefStore:
        with self._lock:
            if owner.id not in self._briefs:
                self._briefs[owner.id] = BriefStore(self.folder(owner.id))
            return self._briefs[owner.id]

    def runs(self, owner: Owner) -> StudioRuns:
        with self._lock:
            return self._runs_of(owner.id)

    def _runs_of(self, owner_id: str) -> StudioRuns:
        if owner_id not in self._runs:
            # The run's jobs are the owner's own: an admin's runs see only the admin's takes, like anyone's.
            maker = LOCAL if owner_id == LOCAL_OWNER else Owner(owner_id)
            service = EngineService(self.engine, owner=maker)
            self._runs[owner_id] = StudioRuns(self.folder(owner_id), service, models=self.models)
        return self._runs[owner_id]

    def resume(self) -> list[str]:
        """Start again every owner's runs left `running` by a stop or a crash; returns their ids."""
        owners = [LOCAL_OWNER]
        tenants = self.data_dir / TENANTS_FOLDER
        if tenants.is_dir():
            owners += sorted(folder.name for folder in tenants.iterdir() if (folder / RUNS_FOLDER).is_dir())
        with self._lock:
            runs = [self._runs_of(owner_id) for owner_id in owners]
        return [run_id for space in runs for run_id in space.resume()]

    def close(self) -> None:
        with self._lock:
            runs = list(self._runs.values())
        for space in runs:
            space.close()
