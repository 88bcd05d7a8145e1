"""The diffusers engine on every folder layout: dtypes kept, one job per pipeline, remix from the source clip,
sound from LTX-2, speed settings applied to the modules, out-of-memory as a job error, GPU pinning.

Everything runs for real on tiny random-weight folders on the CPU (`cinebrief dev tiny-model`). Two things
cannot happen on this machine and are imitated, each said where it is done: a GPU running out of memory
(a hook raises torch's own `OutOfMemoryError`) and a second GPU (`CUDA_VISIBLE_DEVICES` is only checked).
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from cinebrief.backends.base import GenerationRequest, RemixSource
from cinebrief.backends.diffusers import DiffusersBackend, PipelineCache
from cinebrief.backends.diffusers.call import LOADED
from cinebrief.backends.diffusers.runtime import RuntimeOptions
from cinebrief.backends.diffusers.tiny import KINDS, write_tiny_model
from cinebrief.errors import BackendError, CancelledError, ConfigError, InputError
from cinebrief.media.audio import decode_audio
from cinebrief.media.probe import iter_frames, probe


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny-kinds")
    return {kind: write_tiny_model(root / kind, kind) for kind in KINDS}


def _png(width: int = 256, height: int = 144, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _run(backend: DiffusersBackend, out: Path, **fields):
    request = {"prompt": "a red cat dance in the city", "model": "tiny", "size": "256x144", "seconds": "4", "seed": 1}
    request.update(fields)
    return backend.generate(GenerationRequest(**request), out, progress=lambda f: None, cancelled=lambda: False)


def _solid_clip(path: Path, colour: tuple[int, int, int]) -> bytes:
    from cinebrief.media.encode import EncodeSettings, VideoWriter

    with VideoWriter(path, 256, 144, EncodeSettings(fps=8)) as writer:
        for _ in range(33):
            writer.write_frame(np.full((144, 256, 3), colour, dtype=np.uint8))
        writer.write_audio(np.zeros(48_000 * 33 // 8, dtype=np.float32))
    return path.read_bytes()


def _frames(video: Path) -> np.ndarray:
    return np.stack(list(iter_frames(video))).astype(np.int16)


@pytest.mark.parametrize("kind", KINDS)
def test_every_layout_generates_offline_in_each_mode_it_claims(folders, tmp_path: Path, kind: str) -> None:
    backend = DiffusersBackend(path=str(folders[kind]), cache=PipelineCache())
    capabilities = backend.capabilities("tiny")
    made = []
    if capabilities.text_to_video:
        made.append(_run(backend, tmp_path / "t2v"))
    if capabilities.image_to_video:
        made.append(_run(backend, tmp_path / "i2v", input_reference=_png()))
    if capabilities.remix:
        source = made[0].video.read_bytes()
        remix = RemixSource(video_id="video_source", prompt="a red cat", change="make it blue", video=source)
        made.append(_run(backend, tmp_path / "v2v", remix=remix))
        assert made[-1].metadata["mode"] == "video-to-video"
        assert made[-1].metadata["remix"] == {"source": "video_source", "change": "make it blue", "strength": 0.7
                                              if kind.startswith("wan") else 0.6}  # fmt: skip
    assert made, f"{kind} makes nothing"
    for result in made:
        info = probe(result.video)
        assert (info.size, info.frames, info.audio_codec) == ("256x144", 33, "aac")
    if kind == "ltx2":  # the model that makes sound: its waveform is the AAC track, not silence
        assert capabilities.audio and made[0].metadata["audio"] == "model"
        samples = decode_audio(made[0].video)
        assert float(np.sqrt(np.mean(samples**2))) > 1e-3
    else:  # a silent model: the sound pass gives it the prompt's bed (this prompt has no dialogue)
        assert capabilities.audio and made[0].metadata["audio"] == "sound pass"
        assert made[0].metadata["sound"]["beds"]


def test_the_sound_pass_speaks_the_dialogue_on_its_timing(folders, tmp_path: Path) -> None:
    prompt = 'A quiet city street at night.\n\nDialogue:\n- Mara: "We leave at dawn, all of us."'
    backend = DiffusersBackend(path=str(folders["wan2.1-t2v"]), cache=PipelineCache())
    result = _run(backend, tmp_path / "voiced", prompt=prompt)
    (line,) = result.metadata["sound"]["dialogue"]
    assert result.metadata["sound"]["speech"] == "espeak-ng" and line["speaker"] == "Mara"
    track = decode_audio(result.video)
    rate = 48_000
    inside = track[..., int(line["start"] * rate) : int(line["end"] * rate)]
    before = track[..., : int(max(0.05, line["start"] - 0.1) * rate)]
    assert np.sqrt(np.mean(inside**2)) > 2 * np.sqrt(np.mean(before**2))  # the speech starts where it is timed
    quiet = DiffusersBackend(path=str(folders["wan2.1-t2v"]), cache=PipelineCache(), sound_pass=False)
    silent = _run(quiet, tmp_path / "silent", prompt=prompt)
    assert silent.metadata["audio"] == "silent" and float(np.abs(decode_audio(silent.video)).max()) < 1e-3
    assert not quiet.capabilities("tiny").audio


def test_a_pipeline_without_a_step_callback_still_reports_steps_and_stops(folders, tmp_path: Path) -> None:
    # HunyuanVideo 1.5's pipeline takes no step callback: its scheduler's steps are counted instead.
    cache = PipelineCache()
    backend = DiffusersBackend(path=str(folders["hunyuan15"]), cache=cache)
    seen: list[float] = []
    request = GenerationRequest(
        prompt="a cat", model="tiny", size="256x144", seconds="4", options={"steps": 3, "guidance": 2.5}
    )
    backend.generate(request, tmp_path / "out", progress=seen.append, cancelled=lambda: False)
    steps = [fraction for fraction in seen if 0.05 < fraction <= 0.9]
    assert len(steps) == 3 and steps == sorted(steps)
    pipeline = cache.get(folders["hunyuan15"], "HunyuanVideo15Pipeline", backend.runtime_options())
    assert pipeline.guider.guidance_scale == 2.5  # its guidance lives on the guider
    assert "step" not in vars(pipeline.scheduler)  # the counting wrapper is gone after the job
    calls = iter([False, False, True])
    with pytest.raises(CancelledError, match="after step 2 of 3"):
        backend.generate(request, tmp_path / "stopped", progress=lambda f: None, cancelled=lambda: next(calls, True))
    assert not (tmp_path / "stopped" / "video.mp4").exists()


def test_remix_starts_from_the_source_clip(folders, tmp_path: Path) -> None:
    backend = DiffusersBackend(path=str(folders["wan2.1-t2v"]), cache=PipelineCache(), remix_strength=0.5)
    red, blue = _solid_clip(tmp_path / "red.mp4", (220, 20, 20)), _solid_clip(tmp_path / "blue.mp4", (20, 20, 220))
    outputs = []
    for name, source in (("a", red), ("b", blue), ("c", red)):
        remix = RemixSource(video_id=f"video_{name}", prompt="x", change="make it dusk", video=source)
        outputs.append(_frames(_run(backend, tmp_path / name, prompt="make it dusk", remix=remix).video))
    # Same change and seed, other source: another clip. Same source: the same clip.
    assert np.abs(outputs[0] - outputs[1]).mean() > 5 * max(np.abs(outputs[0] - outputs[2]).mean(), 0.1)


def test_a_remix_whose_source_clip_is_gone_is_refused_not_made_from_text(folders, tmp_path: Path) -> None:
    backend = DiffusersBackend(path=str(folders["wan"]), cache=PipelineCache())
    remix = RemixSource(video_id="video_old", prompt="a red cat", change="make it blue", video=None)
    with pytest.raises(InputError, match=r"'video_old' has no video file any more") as caught:
        _run(backend, tmp_path / "out", remix=remix)
    assert caught.value.code == "source_expired" and not (tmp_path / "out" / "video.mp4").exists()


def test_a_model_that_cannot_remix_says_so(folders, tmp_path: Path) -> None:
    backend = DiffusersBackend(path=str(folders["wan2.2-a14b"]), cache=PipelineCache())
    capabilities = backend.capabilities("tiny")
    assert not capabilities.remix and "two experts" in capabilities.remix_refusal
    remix = RemixSource(video_id="video_x", prompt="x", change="y", video=b"not used")
    with pytest.raises(InputError, match=r"cannot remix: .*two experts"):
        _run(backend, tmp_path / "out", remix=remix)


def test_an_image_to_video_job_keeps_a_warm_bf16_pipeline_in_its_dtypes(folders, tmp_path: Path) -> None:
    cache = PipelineCache()
    backend = DiffusersBackend(path=str(folders["wan"]), cache=cache, dtype="bfloat16")
    first = _run(backend, tmp_path / "t2v", options={"steps": 1})
    assert first.metadata["dtypes"] == {"default": "bfloat16", "vae": "float32"}
    options = backend.runtime_options()
    loaded = cache.get(folders["wan"], "WanPipeline", options)
    before = {name: module.dtype for name, module in loaded.components.items() if isinstance(module, torch.nn.Module)}
    assert before["transformer"] == torch.bfloat16 and before["vae"] == torch.float32
    _run(backend, tmp_path / "i2v", input_reference=_png())
    derived = cache.get(folders["wan"], "WanImageToVideoPipeline", options)
    assert derived.config.expand_timesteps  # the TI2V config travels with the modules
    for pipeline in (loaded, derived):
        for name, module in pipeline.components.items():
            if isinstance(module, torch.nn.Module):
                assert module.dtype == before[name], name
    assert cache.loads == 1


def test_per_component_dtypes_are_settings_over_the_familys(folders) -> None:
    cache = PipelineCache()
    backend = DiffusersBackend(
        path=str(folders["wan"]), cache=cache, dtype="bfloat16", dtypes={"text_encoder": "float32"}
    )
    pipeline = cache.get(folders["wan"], "WanPipeline", backend.runtime_options())
    assert (pipeline.text_encoder.dtype, pipeline.transformer.dtype, pipeline.vae.dtype) == (
        torch.float32,
        torch.bfloat16,
        torch.float32,  # the family's own: the Wan VAE in float32
    )
    assert backend.capabilities("tiny").settings["dtypes"] == {"vae": "float32", "text_encoder": "float32"}
    with pytest.raises(ConfigError, match=r"dtypes.vae 'float8' is not supported\. Allowed: bfloat16"):
        DiffusersBackend(path=str(folders["wan"]), dtypes={"vae": "float8"})


def test_two_threads_share_one_pipeline_one_job_at_a_time(folders, tmp_path: Path) -> None:
    cache = PipelineCache()
    backend = DiffusersBackend(path=str(folders["wan"]), cache=cache)
    results: list[object] = []
    errors: list[BaseException] = []

    def job(index: int) -> None:
        try:
            results.append(_run(backend, tmp_path / f"job{index}", seed=index, options={"steps": 3}))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=job, args=(index,)) for index in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == [] and len(results) == 3
    assert cache.loads == 1  # three cold requests, one load


def test_warm_loads_the_pipeline_before_the_first_job(folders, tmp_path: Path) -> None:
    cache = PipelineCache()
    backend = DiffusersBackend(path=str(folders["wan"]), cache=cache)
    backend.warm("tiny")
    assert cache.loads == 1
    assert _run(backend, tmp_path / "first").metadata["pipeline_loaded"] is False


def test_the_next_model_is_loaded_after_the_last_is_evicted(folders, tmp_path: Path) -> None:
    cache = PipelineCache(budget_bytes=1)
    resident_at_load: list[int] = []
    from cinebrief.backends.diffusers.runtime import load_pipeline

    def loader(path: Path, class_name: str, options: RuntimeOptions):
        resident_at_load.append(len(cache))
        return load_pipeline(path, class_name, options)

    options = DiffusersBackend(path=str(folders["wan"])).runtime_options()
    cache.get(folders["wan"], "WanPipeline", options, loader=loader)
    cache.get(folders["ltx"], "LTXPipeline", options, loader=loader)
    assert resident_at_load == [0, 0] and cache.evictions == 1 and len(cache) == 1
    assert cache.nbytes > 0


def test_flow_shift_rebuilds_the_scheduler(folders, tmp_path: Path) -> None:
    cache = PipelineCache()
    backend = DiffusersBackend(path=str(folders["wan"]), cache=cache, flow_shift=3.0)
    result = _run(backend, tmp_path / "out")
    assert result.metadata["flow_shift"] == 3.0
    pipeline = cache.get(folders["wan"], "WanPipeline", backend.runtime_options())
    assert pipeline.scheduler.config.shift == 3.0
    assert backend.capabilities("tiny").settings["flow_shift"] == 3.0


@pytest.mark.parametrize("fit", ["cover", "letterbox"])
def test_a_size_off_the_models_multiple_is_fitted_never_stretched(folders, tmp_path: Path, fit: str) -> None:
    # The tiny Wan folder works at multiples of 16 in a 64x64 area: 256x150 is made at 80x48 (another aspect).
    backend = DiffusersBackend(path=str(folders["wan"]), cache=PipelineCache(), fit=fit)
    result = _run(backend, tmp_path / "out", size="256x150", input_reference=_png(256, 150, (255, 255, 255)))
    assert result.metadata["fit"] == fit
    assert any(("cover-cropped" if fit == "cover" else "letterboxed") in note for note in result.metadata["notes"])
    first = _frames(result.video)[0]
    edge = min(first[:, :2].mean(), first[:, -2:].mean())
    assert (edge < 40) == (fit == "letterbox")  # letterbox pads the sides with black; cover fills them


def test_speed_settings_reach_the_modules(folders) -> None:
    cache = PipelineCache()
    backend = DiffusersBackend(
        path=str(folders["wan2.2-a14b"]),
        cache=cache,
        attention_backend="native",
        fp8_storage=True,
        step_cache="first_block",
        step_cache_threshold=0.1,
        compile=True,
    )
    pipeline = cache.get(folders["wan2.2-a14b"], "WanPipeline", backend.runtime_options())
    for transformer in (pipeline.transformer, pipeline.transformer_2):  # both experts
        processors = [m.processor for m in transformer.modules() if hasattr(m, "processor")]
        assert processors and all(p._attention_backend == "native" for p in processors)
        assert transformer.blocks[0].ffn.net[0].proj.weight.dtype == torch.float8_e4m3fn
        leader = transformer.blocks[0]._diffusers_hook.get_hook("fbc_leader_block_hook")
        assert transformer.is_cache_enabled and leader.threshold == 0.1  # the configured threshold, not the default
        assert transformer.blocks[0]._compiled_call_impl is not None
    settings = backend.capabilities("tiny").settings
    assert settings["attention_backend"] == "native" and settings["step_cache"] == "first_block"


def test_offline_only_attention_and_missing_packages_are_config_errors(folders) -> None:
    with pytest.raises(ConfigError, match="downloads its kernel"):
        DiffusersBackend(path=str(folders["wan"]), attention_backend="flash_hub")
    with pytest.raises(ConfigError, match="needs `mag_ratios`"):
        DiffusersBackend(path=str(folders["wan"]), step_cache="mag")
    with pytest.raises(ConfigError, match="BACKEND:TYPE"):
        DiffusersBackend(path=str(folders["wan"]), quantization="gguf")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"step_cache_threshold": 0.1}, "`step_cache_threshold` tunes a step cache, but `step_cache` is not set"),
        ({"mag_ratios": [1.0, 0.9]}, "`mag_ratios` tunes a step cache, but `step_cache` is not set"),
        ({"cpu_offload": True, "group_offload": True}, "cannot be combined"),
    ],
)
def test_settings_that_would_be_ignored_are_config_errors(folders, settings: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        DiffusersBackend(path=str(folders["wan"]), **settings)


def test_mag_cache_runs_only_the_step_count_it_was_calibrated_for(folders) -> None:
    def plan(ratios: list[float], **options):
        backend = DiffusersBackend(path=str(folders["wan"]), step_cache="mag", mag_ratios=ratios)
        request = GenerationRequest(prompt="a cat", model="tiny", size="256x144", seconds="4", options=options)
        return backend.call_plan(request)

    assert plan([1.0, 0.9]).steps == 2  # the tiny model's 2 steps, one ratio each
    with pytest.raises(InputError, match=r"options.steps 3: .*calibrated for 2 steps"):
        plan([1.0, 0.9], steps=3)
    with pytest.raises(ConfigError, match=r"runs 2 steps, but its step_cache 'mag' is calibrated for 3 steps"):
        plan([1.0, 0.9, 0.8])


def test_torchao_quantization_reaches_the_transformer_only(folders, tmp_path: Path) -> None:
    cache = PipelineCache()
    backend = DiffusersBackend(path=str(folders["wan2.1-t2v"]), cache=cache, quantization="torchao:int8wo")
    result = _run(backend, tmp_path / "out")
    assert result.metadata["speed"] == {"quantization": "torchao:int8wo"} and probe(result.video).frames == 33
    pipeline = cache.get(folders["wan2.1-t2v"], "WanPipeline", backend.runtime_options())
    assert type(pipeline.transformer.blocks[0].ffn.net[0].proj.weight).__name__ == "Int8Tensor"
    assert type(pipeline.text_encoder.shared.weight) is torch.nn.Parameter  # the text encoder keeps its dtype
    with pytest.raises(ConfigError, match="torchao's kinds are int8wo"):
        DiffusersBackend(path=str(folders["wan"]), quantization="torchao:int3")


def test_group_offload_hooks_every_module(folders) -> None:
    cache = PipelineCache()
    backend = DiffusersBackend(path=str(folders["wan"]), cache=cache, group_offload=True)
    pipeline = cache.get(folders["wan"], "WanPipeline", backend.runtime_options())
    assert pipeline.transformer._diffusers_hook.get_hook("group_offloading") is not None


def test_out_of_memory_fails_the_job_and_the_worker_goes_on(folders, tmp_path: Path) -> None:
    cache = PipelineCache()
    backend = DiffusersBackend(path=str(folders["wan"]), cache=cache)
    _run(backend, tmp_path / "warm")
    pipeline = cache.get(folders["wan"], "WanPipeline", backend.runtime_options())

    # Imitated: this machine has no GPU to exhaust, so the transformer raises torch's own error once.
    def exhausted(module, args):
        handle.remove()
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    handle = pipeline.transformer.register_forward_pre_hook(exhausted)
    with pytest.raises(BackendError) as caught:
        _run(backend, tmp_path / "oom")
    assert caught.value.code == "out_of_memory"
    assert "33 frames at 80x48" in str(caught.value) and "cpu_offload" in str(caught.value)
    assert probe(_run(backend, tmp_path / "after").video).frames == 33


def test_worker_i_is_pinned_to_gpu_i(folders, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cinebrief.jobs.isolation import ProcessWorker
    from cinebrief.settings import Settings, gpu_for_worker

    # Imitated: two GPUs are only named here; the worker process must see just its own.
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    assert Settings().concurrency_for("diffusers") == 2 and Settings().concurrency_for("previz") == 1
    assert [gpu_for_worker("diffusers", index) for index in range(3)] == ["0", "1", "0"]
    assert gpu_for_worker("previz", 1) is None
    worker = ProcessWorker("pinned", gpu=gpu_for_worker("diffusers", 1))
    try:
        request = GenerationRequest(prompt="a cat", model="tiny", size="256x144", seconds="4")
        result = worker.generate(
            model="tiny",
            backend_name="diffusers",
            backend_settings={"path": str(folders["wan"])},
            request=request,
            output_dir=tmp_path / "out",
            progress=lambda fraction: None,
            cancelled=lambda: False,
            checkpoint=lambda state: None,
        )
    finally:
        worker.close()
    assert result.metadata["cuda_visible_devices"] == "1"


def test_sdk_options_and_a_remix_through_the_server(folders, tmp_path: Path) -> None:
    """`extra_body` options travel as multipart text with a file; they are coerced by type, and remix works."""
    from openai import BadRequestError, OpenAI

    from cinebrief.jobs.store import JobStore
    from server_harness import ServerThread
    from server_models import served_settings

    models = {
        "wan-tiny": {"backend": "diffusers", "path": str(folders["wan"])},
        "a14b-tiny": {"backend": "diffusers", "path": str(folders["wan2.2-a14b"])},
    }
    settings = served_settings(tmp_path / "data", api_keys=["k"], poll_after_ms=50, models=models)
    with ServerThread(settings) as server:
        client = OpenAI(base_url=server.url, api_key="k", max_retries=0)
        listed = {model.id: model.model_extra["capabilities"] for model in client.models.list()}
        assert listed["wan-tiny"]["options"]["steps"] == "integer" and listed["wan-tiny"]["remix"]
        assert listed["wan-tiny"]["settings"]["variant"] == "wan2.2-ti2v"
        source = client.videos.create_and_poll(
            prompt="a dog run on the sea",
            model="wan-tiny",
            size="256x144",
            input_reference=("first.png", _png(), "image/png"),
            extra_body={"cinebrief": {"options": {"steps": 3, "guidance": 4.5}}},
        )
        assert source.status == "completed", source.error
        remix = client.videos.remix(source.id, prompt="Same shot, make it dusk")
        remix = client.videos.poll(remix.id)
        assert (remix.status, remix.remixed_from_video_id) == ("completed", source.id)
        with pytest.raises(BadRequestError, match=r"options\]\[steps\]': expected an integer, got 'many'"):
            client.videos.create(
                prompt="a cat",
                model="wan-tiny",
                size="256x144",
                input_reference=("first.png", _png(), "image/png"),
                extra_body={"cinebrief": {"options": {"steps": "many"}}},
            )
        other = client.videos.create_and_poll(prompt="a cat", model="a14b-tiny", size="256x144")
        with pytest.raises(BadRequestError, match=r"cannot remix: .*two experts"):
            client.videos.remix(other.id, prompt="make it dusk")
    store = JobStore(settings.server.resolved_database_url)
    try:
        made = store.get(source.id).result_metadata
        assert (made["steps"], made["guidance"]) == (3, 4.5)  # sent as the text "3" and "4.5"
        remixed = store.get(remix.id).result_metadata
        assert remixed["mode"] == "video-to-video" and remixed["remix"]["source"] == source.id
        assert remixed["seed"] == made["seed"] and remixed["steps"] == 3  # the source's seed and options
    finally:
        store.close()


def test_the_gpu_benchmark_runs_its_smoke_size() -> None:
    import subprocess
    import sys

    bench = Path(__file__).parent.parent / "bench" / "gpu.py"
    done = subprocess.run(
        [sys.executable, str(bench), "--smoke", "--settings", "step_cache,fp8"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "direct diffusers" in done.stdout and "step_cache" in done.stdout and "fp8" in done.stdout
    # The published full-size configurations build (on the meta device: no memory) at their known sizes.
    checked = subprocess.run(
        [sys.executable, str(bench), "--check-configs"], capture_output=True, text=True, timeout=300
    )
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert "wan2.2-ti2v-5b: WanPipeline; transformer 5.00B" in checked.stdout
    assert "ltx-2: LTX2Pipeline; transformer 18.88B" in checked.stdout


def test_each_job_starts_with_fresh_step_cache_state(folders, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job cancelled mid-schedule leaves MagCache's step count part-way; the next job on the warm pipeline
    must start at step 0 (the hook resets itself only at the end of a full schedule)."""
    from diffusers.hooks.hooks import StateManager

    seen: list[int] = []  # the step count MagCache finds at each of its reads in the second job
    original = StateManager.get_state
    watching = False

    def get_state(self: StateManager) -> object:
        state = original(self)
        if watching and hasattr(state, "step_index"):
            seen.append(state.step_index)
        return state

    monkeypatch.setattr(StateManager, "get_state", get_state)
    backend = DiffusersBackend(path=str(folders["wan"]), step_cache="mag", mag_ratios=[1.0, 0.9])
    request = GenerationRequest(prompt="a cat", model="tiny", size="256x144", seconds="4", seed=1)
    denoising: list[float] = []  # progress past loading: a step has run

    def progress(fraction: float) -> None:
        if fraction > LOADED:
            denoising.append(fraction)

    with pytest.raises(CancelledError):  # cancelled after its first step
        backend.generate(request, tmp_path / "a", progress=progress, cancelled=lambda: bool(denoising))
    assert len(denoising) == 1
    watching = True
    _run(backend, tmp_path / "b")
    assert seen and seen[0] == 0, f"the second job began at MagCache step {seen[:1]}"
