"""The Ray executor on a real Ray cluster on loopback: two nodes that declare one logical GPU each.

One cluster for the module (`ray.cluster_utils.Cluster`, no dashboard, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
before Ray starts, so that every Ray process stays on 127.0.0.1). Jobs go through the official SDK to a
server whose executor is that cluster; the previz backend renders on the actors. The node-loss test runs
last: it removes the second node.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import av
import openai
import pytest
from typer.testing import CliRunner

from cinebrief.cli.app import app
from cinebrief.errors import ConfigError
from cinebrief.jobs import Engine, VideoRequest
from cinebrief.jobs.owners import LOCAL
from cinebrief.settings import load_settings
from server_harness import ServerProcess, ServerThread, free_port
from server_models import SMALL_MODEL, SMALL_SIZE

pytestmark = pytest.mark.slow

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # before Ray starts: keep it on loopback


@pytest.fixture(scope="module")
def cluster():
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "num_gpus": 1, "include_dashboard": False})
    second = cluster.add_node(num_cpus=2, num_gpus=1)
    cluster.wait_for_nodes()
    try:
        yield cluster, second
    finally:
        if ray.is_initialized():
            ray.shutdown()
        cluster.shutdown()


def ray_settings(tmp_path: Path, address: str, *, model: str = SMALL_MODEL, **settings: Any):
    """One model (previz unless `backend` says otherwise) served on the Ray cluster at `address`."""
    return load_settings(
        environ={},
        overrides={
            "server": {"data_dir": str(tmp_path / "data"), "poll_after_ms": 100},
            "models": {model: {"backend": "previz", **settings}},
            "executor": {"kind": "ray", "address": address},
        },
    )


def tiny_wan_settings(tmp_path: Path, address: str, folder: Path, **settings: Any):
    return ray_settings(tmp_path, address, model="tiny-wan", backend="diffusers", path=str(folder), **settings)


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_previz_jobs_through_the_sdk_run_on_both_nodes_with_warm_actors(cluster, tmp_path: Path) -> None:
    head, second = cluster
    settings = ray_settings(tmp_path, head.address, workers=2, num_cpus=1, warm=True)
    with ServerThread(settings) as server:
        engine = server.app.state.engine
        client = openai.OpenAI(base_url=server.url, api_key="any", max_retries=0)
        before = engine.ray.describe()[SMALL_MODEL]
        assert [actor["loads"] for actor in before] == [1, 1]  # warm: built at start
        listed = client.models.retrieve(SMALL_MODEL).model_extra["workers"]
        assert listed == {"executor": "ray", "count": 2, "num_gpus": 0.0, "num_cpus": 1.0, "started": 2}
        ids = [
            client.videos.create(prompt=f"Ray clip {index}, a kite over a ridge", model=SMALL_MODEL, size=SMALL_SIZE).id
            for index in range(8)
        ]
        videos = [client.videos.poll(video_id, poll_interval_ms=100) for video_id in ids]
        assert [video.status for video in videos] == ["completed"] * 8
        path = tmp_path / "clip.mp4"
        client.videos.download_content(ids[0]).write_to_file(path)
        with av.open(str(path)) as container:
            assert sum(1 for _ in container.decode(video=0)) > 0
        actors = engine.ray.describe()[SMALL_MODEL]
        assert {actor["node_id"] for actor in actors} == {head.head_node.node_id, second.node_id}
        assert sorted(job for actor in actors for job in actor["jobs"]) == sorted(ids)  # each once
        assert all(actor["jobs"] for actor in actors)  # both nodes rendered
        assert [actor["loads"] for actor in actors] == [1, 1]  # the backend stayed warm across jobs
        assert all(engine.job(video_id, owner=LOCAL).result_metadata for video_id in ids)


def test_delete_cancels_the_job_on_its_actor(cluster, tmp_path: Path, tiny_wan: Path) -> None:
    head, _ = cluster
    settings = tiny_wan_settings(tmp_path, head.address, tiny_wan, workers=1, warm=True)
    with ServerThread(settings) as server:
        engine = server.app.state.engine
        client = openai.OpenAI(base_url=server.url, api_key="any", max_retries=0)
        long = client.videos.create(prompt="a long take of a harbour", model="tiny-wan", size="1280x720", seconds="8")
        wait_for(lambda: client.videos.retrieve(long.id).status == "in_progress")
        assert client.videos.delete(long.id).deleted
        nxt = client.videos.create(prompt="the next take", model="tiny-wan", size="256x144")
        assert client.videos.poll(nxt.id, poll_interval_ms=100).status == "completed"
        jobs = engine.ray.describe()["tiny-wan"][0]["jobs"]
        assert jobs == [nxt.id]  # the deleted job stopped on the actor and never finished
        assert not engine.layout.output(long.id).exists()


def test_a_model_needing_more_gpus_than_the_cluster_is_an_error_at_start(cluster, tmp_path: Path) -> None:
    head, _ = cluster
    settings = ray_settings(tmp_path, head.address, workers=3, num_gpus=1)
    engine = Engine(settings, start=False)
    try:
        with pytest.raises(ConfigError, match=rf"Model '{SMALL_MODEL}' needs 3 GPUs \(3 workers × 1\).* has 2"):
            engine.start()
    finally:
        engine.close()


def test_an_unreachable_ray_address_is_exit_2_naming_it(tmp_path: Path) -> None:
    address = f"ray://127.0.0.1:{free_port()}"
    result = subprocess.run(
        [sys.executable, "-m", "cinebrief", "serve", "--data-dir", str(tmp_path), "--port", str(free_port())],
        env={**os.environ, "CINEBRIEF_EXECUTOR": "ray", "CINEBRIEF_RAY_ADDRESS": address},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert f"Cannot reach the Ray cluster at {address}" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def tiny_wan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight Wan folder, written by `cinebrief dev tiny-model`."""
    folder = tmp_path_factory.mktemp("tiny") / "wan"
    result = CliRunner().invoke(app, ["dev", "tiny-model", str(folder), "--family", "wan"])
    assert result.exit_code == 0, result.output
    return folder


def test_tiny_diffusers_jobs_run_on_one_gpu_actor_per_node_loading_the_pipeline_once(
    cluster, tmp_path: Path, tiny_wan: Path
) -> None:
    head, second = cluster
    settings = tiny_wan_settings(tmp_path, head.address, tiny_wan, workers=2)
    with ServerThread(settings) as server:
        engine = server.app.state.engine
        client = openai.OpenAI(base_url=server.url, api_key="any", max_retries=0)
        ids = [
            client.videos.create(prompt=f"a red cat dances, take {index}", model="tiny-wan", size="256x144").id
            for index in range(4)
        ]
        videos = [client.videos.poll(video_id, poll_interval_ms=200) for video_id in ids]
        assert [video.status for video in videos] == ["completed"] * 4, [video.error for video in videos]
        actors = engine.ray.describe()["tiny-wan"]
        assert {actor["node_id"] for actor in actors} == {head.head_node.node_id, second.node_id}
        assert all(actor["gpu_ids"] for actor in actors)  # each actor holds one (logical) GPU
        for actor in actors:  # the pipeline loads on an actor's first job and stays loaded for the next ones
            loaded = [
                engine.job(video_id, owner=LOCAL).result_metadata["pipeline_loaded"] for video_id in actor["jobs"]
            ]
            assert loaded == [True] + [False] * (len(loaded) - 1)
        path = tmp_path / "tiny.mp4"
        client.videos.download_content(ids[0]).write_to_file(path)
        with av.open(str(path)) as container:
            assert sum(1 for _ in container.decode(video=0)) == 33


def test_a_lost_node_sends_its_job_to_the_other_node_which_completes_it_once(
    cluster, tmp_path: Path, tiny_wan: Path
) -> None:
    head, second = cluster
    settings = tiny_wan_settings(tmp_path, head.address, tiny_wan, workers=2, warm=True)
    with Engine(settings) as engine:
        ids = [
            engine.submit(
                VideoRequest(prompt=f"a cat, take {index}", model="tiny-wan", size="1280x720", seconds="8"), owner=LOCAL
            )
            for index in range(2)
        ]
        ids = [video.id for video in ids]
        wait_for(lambda: all(engine.job(video_id, owner=LOCAL).status == "in_progress" for video_id in ids))
        holders = {video_id: engine.job(video_id, owner=LOCAL).worker_id or "" for video_id in ids}
        assert all(holders.values()), "a job finished before the node could be lost"
        nodes = {index: actor["node_id"] for index, actor in enumerate(engine.ray.describe()["tiny-wan"])}
        assert sorted(nodes.values()) == sorted([head.head_node.node_id, second.node_id])  # one GPU each
        on_second = next(
            video_id for video_id, holder in holders.items() if nodes[int(holder.rsplit("-", 1)[1])] == second.node_id
        )
        head.remove_node(second)
        videos = [engine.wait(video_id, timeout=240, owner=LOCAL) for video_id in ids]
        assert [video.status for video in videos] == ["completed", "completed"], [video.error for video in videos]
        assert engine.job(on_second, owner=LOCAL).attempts == 2
        survivor = engine.ray.worker("tiny-wan", next(i for i, node in nodes.items() if node != second.node_id))
        assert sorted(survivor.describe()["jobs"]) == sorted(ids)  # the lost job completed once, there
        with av.open(str(engine.content_path(on_second, owner=LOCAL))) as container:
            assert sum(1 for _ in container.decode(video=0)) > 0


def test_serve_on_a_one_machine_ray_cluster_started_in_process(tmp_path: Path) -> None:
    """`address = "local"`: `cinebrief serve` starts its own Ray cluster, renders on it, and stops cleanly."""
    env = {
        "CINEBRIEF_EXECUTOR": "ray",
        "CINEBRIEF_RAY_ADDRESS": "local",
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    }
    with ServerProcess(tmp_path / "data", env=env) as server:
        client = openai.OpenAI(base_url=server.url, api_key="any", max_retries=0)
        video = client.videos.create_and_poll(prompt="A paper boat drifts", model="sora-2", size="720x1280")
        assert video.status == "completed"
        assert client.models.retrieve("sora-2").model_extra["workers"]["started"] == 1
        process = server.process
    assert process is not None and process.returncode is not None  # stopped by SIGTERM within the harness's wait
