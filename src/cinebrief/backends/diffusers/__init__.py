"""The `diffusers` backend: Wan 2.x and LTX-Video pipelines loaded from a local folder, strictly offline.

Importing this package imports neither torch nor diffusers; they load inside `DiffusersBackend.generate`.
"""

from cinebrief.backends.diffusers.backend import DiffusersBackend
from cinebrief.backends.diffusers.folder import ModelFolder, inspect_folder
from cinebrief.backends.diffusers.mapping import CallPlan, ModelDefaults, make_call_plan
from cinebrief.backends.diffusers.runtime import SHARED_CACHE, PipelineCache, RuntimeOptions

__all__ = [
    "SHARED_CACHE",
    "CallPlan",
    "DiffusersBackend",
    "ModelDefaults",
    "ModelFolder",
    "PipelineCache",
    "RuntimeOptions",
    "inspect_folder",
    "make_call_plan",
]
