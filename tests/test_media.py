"""The media layer, through what it writes: MP4s decoded back, images opened, audio measured."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cinebrief.media import (
    EncodeSettings,
    VideoWriter,
    iter_frames,
    probe,
    read_frames,
    sprite_indices,
    spritesheet_from_video,
    thumbnail_from_video,
    write_spritesheet,
    write_thumbnail,
)
from cinebrief.media.audio import decode_audio, loudness, mix, normalise, resample
from cinebrief.media.spritesheet import SPRITE_COLUMNS, SPRITE_ROWS, tile_size
from cinebrief.media.yuv import YuvSprite, blend, frame_from_planes, rgb_to_yuv, scale_plane, yuv_planes, yuv_to_rgb


def flat_frames(count: int, width: int, height: int) -> list[np.ndarray]:
    """Frame k is a flat grey whose level encodes k, so a decoded frame tells which it was."""
    return [np.full((height, width, 3), 20 + 4 * k, dtype=np.uint8) for k in range(count)]


def write_clip(path: Path, frames: list[np.ndarray], *, seconds: float) -> Path:
    height, width = frames[0].shape[:2]
    t = np.arange(int(seconds * 48_000), dtype=np.float32) / 48_000
    with VideoWriter(path, width, height) as writer:
        for frame in frames:
            writer.write_frame(frame)
        writer.write_audio(0.3 * np.sin(2 * np.pi * 440 * t))
    return path


def test_writer_makes_h264_aac_mp4_with_matching_durations(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "clip.mp4", flat_frames(48, 96, 64), seconds=2.0)
    info = probe(path)
    assert (info.width, info.height, info.frames, info.fps) == (96, 64, 48, 24)
    assert (info.video_codec, info.pixel_format, info.audio_codec, info.audio_rate) == ("h264", "yuv420p", "aac", 48000)
    assert info.video_duration == pytest.approx(2.0)
    assert abs(info.audio_duration - info.video_duration) < 0.05
    data = path.read_bytes()
    assert data.index(b"moov") < data.index(b"mdat"), "+faststart puts the index first"
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_decoded_frames_match_what_was_written(tmp_path: Path) -> None:
    frames = flat_frames(12, 64, 48)
    path = write_clip(tmp_path / "clip.mp4", frames, seconds=0.5)
    decoded = list(iter_frames(path))
    assert len(decoded) == 12
    assert [round(float(frame.mean())) for frame in decoded] == pytest.approx(
        [float(frame.mean()) for frame in frames], abs=2
    )
    picked = read_frames(path, [3, 7, 99])
    assert sorted(picked) == [3, 7]


def test_a_soundtrack_encoded_on_another_thread_is_the_same_audio(tmp_path: Path) -> None:
    """`encode_audio` (on a second thread while frames are written) and `write_packets` give the file the
    audio that `write_audio` gives it; afterwards the writer takes no more audio."""
    from concurrent.futures import ThreadPoolExecutor

    frames = flat_frames(24, 64, 48)
    t = np.arange(48_000, dtype=np.float32) / 48_000
    tone = 0.3 * np.sin(2 * np.pi * 440 * t) * np.linspace(0.0, 1.0, t.size, dtype=np.float32)
    progressive = write_clip(tmp_path / "progressive.mp4", frames, seconds=1.0)  # the same tone, unramped
    with VideoWriter(tmp_path / "ramp.mp4", 64, 48) as writer, ThreadPoolExecutor(1) as pool:
        packets = pool.submit(writer.encode_audio, tone)
        for frame in frames:
            writer.write_frame(frame)
        writer.write_packets(packets.result())
        with pytest.raises(ValueError, match="already encoded"):
            writer.write_audio(tone)
    with VideoWriter(tmp_path / "ramp-progressive.mp4", 64, 48) as writer:
        for frame in frames:
            writer.write_frame(frame)
        writer.write_audio(tone)
    threaded = decode_audio(tmp_path / "ramp.mp4", rate=48_000, channels=2)
    reference = decode_audio(tmp_path / "ramp-progressive.mp4", rate=48_000, channels=2)
    assert threaded.shape == reference.shape
    np.testing.assert_array_equal(threaded, reference)
    assert probe(tmp_path / "ramp.mp4").audio_duration == pytest.approx(probe(progressive).audio_duration)


def test_labelled_audio_is_copied_into_the_next_file_sample_for_sample(tmp_path: Path) -> None:
    """A writer stores its audio's label; `labelled_audio` gives the packets back only for that label, and
    another writer adopts them: the new file's audio decodes to the same samples."""
    from cinebrief.media.encode import labelled_audio

    frames = flat_frames(24, 64, 48)
    t = np.arange(48_000, dtype=np.float32) / 48_000
    tone = 0.3 * np.sin(2 * np.pi * 330 * t)
    with VideoWriter(tmp_path / "source.mp4", 64, 48, audio_label="recipe 1") as writer:
        for frame in frames:
            writer.write_frame(frame)
        writer.write_audio(tone)
    source = (tmp_path / "source.mp4").read_bytes()
    assert labelled_audio(source, "recipe 2") is None
    assert labelled_audio(b"not a video", "recipe 1") is None
    unlabelled = write_clip(tmp_path / "unlabelled.mp4", frames, seconds=1.0)
    assert labelled_audio(unlabelled.read_bytes(), "recipe 1") is None
    packets = labelled_audio(source, "recipe 1")
    assert packets
    with VideoWriter(tmp_path / "own.mp4", 64, 48) as writer:
        writer.write_audio(tone[:4800])
        with pytest.raises(ValueError, match="audio of its own"):
            writer.adopt_audio(packets)
    with VideoWriter(tmp_path / "copy.mp4", 64, 48, audio_label="recipe 1") as writer:
        adopted = writer.adopt_audio(packets)
        for frame in frames[::-1]:
            writer.write_frame(frame)
        writer.write_packets(adopted)
        with pytest.raises(ValueError, match="already encoded"):
            writer.write_audio(tone)
    copied, original = (decode_audio(tmp_path / name, channels=2) for name in ("copy.mp4", "source.mp4"))
    np.testing.assert_array_equal(copied, original)
    assert labelled_audio((tmp_path / "copy.mp4").read_bytes(), "recipe 1")  # and it lends on


def test_failure_inside_the_writer_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), VideoWriter(tmp_path / "clip.mp4", 64, 48) as writer:
        writer.write_frame(np.zeros((48, 64, 3), np.uint8))
        raise RuntimeError("the generator failed")
    assert list(tmp_path.iterdir()) == []


def test_writer_refuses_odd_sides_and_wrong_frames(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even"):
        VideoWriter(tmp_path / "odd.mp4", 65, 48)
    with VideoWriter(tmp_path / "clip.mp4", 64, 48, EncodeSettings(audio=False)) as writer:
        with pytest.raises(ValueError, match="shape"):
            writer.write_frame(np.zeros((48, 60, 3), np.uint8))
        writer.write_frame(np.zeros((48, 64, 3), np.uint8))
    assert probe(tmp_path / "clip.mp4").audio_codec is None


def test_spritesheet_layout_is_row_major_evenly_sampled(tmp_path: Path) -> None:
    frames = flat_frames(48, 128, 72)
    video = write_clip(tmp_path / "clip.mp4", frames, seconds=2.0)
    sheet_path = spritesheet_from_video(video, tmp_path / "spritesheet.jpg")
    tile_w, tile_h = tile_size(128, 72)
    with Image.open(sheet_path) as sheet:
        assert sheet.format == "JPEG"
        assert sheet.size == (tile_w * SPRITE_COLUMNS, tile_h * SPRITE_ROWS)
        pixels = np.asarray(sheet.convert("L"), dtype=np.float32)
    for k, index in enumerate(sprite_indices(48)):
        row, column = divmod(k, SPRITE_COLUMNS)
        tile = pixels[row * tile_h + 4 : (row + 1) * tile_h - 4, column * tile_w + 4 : (column + 1) * tile_w - 4]
        assert tile.mean() == pytest.approx(20 + 4 * index, abs=3), f"tile {k} should show frame {index}"


def test_tile_sizes_follow_the_documented_rule() -> None:
    assert tile_size(1280, 720) == (240, 136)
    assert tile_size(720, 1280) == (136, 240)
    assert tile_size(1792, 1024) == (240, 138)
    assert sprite_indices(96)[:3] == [3, 9, 15]


def test_thumbnail_is_webp_at_video_size(tmp_path: Path) -> None:
    video = write_clip(tmp_path / "clip.mp4", flat_frames(24, 96, 64), seconds=1.0)
    with Image.open(thumbnail_from_video(video, tmp_path / "thumbnail.webp")) as image:
        assert (image.format, image.size) == ("WEBP", (96, 64))
    with Image.open(write_thumbnail(np.zeros((10, 20, 3), np.uint8), tmp_path / "t.webp")) as image:
        assert image.size == (20, 10)
    with pytest.raises(ValueError):
        write_spritesheet([], tmp_path / "empty.jpg")


def test_audio_resample_level_and_mix(tmp_path: Path) -> None:
    tone = 0.5 * np.sin(2 * np.pi * 300 * np.arange(22050, dtype=np.float32) / 22050)
    upsampled = resample(tone, 22050)
    assert upsampled.shape[0] == 1 and abs(upsampled.shape[1] - 48000) <= 64
    levelled = normalise(upsampled, target_db=-20.0)
    assert loudness(levelled) == pytest.approx(-20.0, abs=0.2)
    assert float(np.abs(normalise(upsampled * 4, target_db=0.0, peak_db=-1.0)).max()) <= 10 ** (-1 / 20) + 1e-6
    mixed = mix([np.ones(10, np.float32), np.ones((2, 20), np.float32)], length=15)
    assert mixed.shape == (2, 15) and mixed[0, 5] == 2.0 and mixed[0, 12] == 1.0
    video = write_clip(tmp_path / "clip.mp4", flat_frames(24, 64, 48), seconds=1.0)
    decoded = decode_audio(video, channels=2)
    assert decoded.shape[0] == 2 and abs(decoded.shape[1] / 48000 - 1.0) < 0.05


def test_constant_quantiser_or_crf_is_what_x264_was_told(tmp_path: Path) -> None:
    frames = flat_frames(6, 64, 48)
    for name, settings, expected in (
        ("cqp.mp4", EncodeSettings(audio=False, qp=17), b"rc=cqp"),
        ("crf.mp4", EncodeSettings(audio=False), b"rc=crf"),
    ):
        with VideoWriter(tmp_path / name, 64, 48, settings) as writer:
            for frame in frames:
                writer.write_frame(frame)
        data = (tmp_path / name).read_bytes()
        assert expected in data, "x264 writes its options into the stream"
        assert probe(tmp_path / name).frames == 6
    assert b" qp=17" in (tmp_path / "cqp.mp4").read_bytes()


def test_frames_made_from_yuv_planes_decode_to_their_colours(tmp_path: Path) -> None:
    colours = np.array([[200, 40, 30], [20, 180, 60], [30, 50, 220], [128, 128, 128]], np.float32)
    assert yuv_to_rgb(rgb_to_yuv(colours)) == pytest.approx(colours, abs=1e-3)
    picture = np.zeros((24, 32, 3), np.uint8)
    for k, colour in enumerate(colours):  # four vertical bands
        picture[:, k * 8 : (k + 1) * 8] = colour
    planes = yuv_planes(picture)  # half the output's size: the chroma fits as it is, the luma is scaled
    frame = frame_from_planes(scale_plane(planes[0], 64, 48), planes[1], planes[2])
    with VideoWriter(tmp_path / "bands.mp4", 64, 48, EncodeSettings(audio=False, qp=10)) as writer:
        writer.write_frame(frame)
    decoded = read_frames(tmp_path / "bands.mp4", [0])[0].astype(np.float32)
    for k, colour in enumerate(colours):
        assert decoded[8:40, k * 16 + 5 : k * 16 + 11].mean(axis=(0, 1)) == pytest.approx(colour, abs=10)


def test_sprites_blend_into_yuv_frames_in_place(tmp_path: Path) -> None:
    import av

    frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 40, np.uint8), format="rgb24").reformat(format="yuv420p")
    sprite = YuvSprite.from_image(Image.new("RGBA", (20, 10), (230, 30, 30, 255)))
    blend(frame, sprite, 10, 6)
    blend(frame, sprite, 60, 44)  # clipped at the corner, not an error
    rgb = frame.to_ndarray(format="rgb24")
    assert rgb[8:14, 12:28].mean(axis=(0, 1)) == pytest.approx([230, 30, 30], abs=8)
    assert rgb[30:40, 20:40].mean() == pytest.approx(40, abs=3)


def test_the_package_names_load_their_module_on_use() -> None:
    import cinebrief.media as media
    from cinebrief.media.encode import VideoWriter
    from cinebrief.media.probe import probe as probe_function

    listed = dir(media)
    assert "write_spritesheet" in listed and len(listed) == len(set(listed))  # listed before use, once each
    assert media.VideoWriter is VideoWriter and media.probe is probe_function  # the function, not its module
    assert dir(media).count("VideoWriter") == 1
    assert all(callable(getattr(media, name)) or name == "AUDIO_RATE" for name in media.__all__)
    with pytest.raises(AttributeError):
        _ = media.no_such_name
