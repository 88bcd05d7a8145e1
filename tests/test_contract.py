"""The Sora 2 contract as data: profiles, parameter checks, reference sniffing, the bomb limit and fit."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from cinebrief.contract import (
    DEFAULTS,
    EXTENDED,
    OFFICIAL_MODELS,
    STANDARD,
    check_prompt,
    check_reference_size,
    check_seconds,
    estimate_cost,
    fit,
    get_profile,
    parse_size,
    read_reference,
    sniff_format,
)
from cinebrief.errors import ContractError, InputError, ReferenceImageError


def image_bytes(size: tuple[int, int], kind: str, colour: tuple[int, int, int] = (180, 90, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=kind)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


# --- profiles -----------------------------------------------------------------------------------------


def test_defaults_are_the_apis() -> None:
    assert (DEFAULTS.model, DEFAULTS.size, DEFAULTS.seconds) == ("sora-2", "720x1280", "4")


def test_official_models_include_dated_aliases() -> None:
    assert {"sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06"} <= set(OFFICIAL_MODELS)


@pytest.mark.parametrize(
    ("model", "size", "seconds"),
    [
        ("sora-2", "1280x720", "4"),
        ("sora-2", "720x1280", "12"),
        ("sora-2-pro", "1792x1024", "8"),
        ("sora-2-pro", "1024x1792", "4"),
        ("sora-2-2025-10-06", "720x1280", "8"),
    ],
)
def test_standard_accepts(model: str, size: str, seconds: str) -> None:
    STANDARD.check(model=model, size=size, seconds=seconds)


def test_pro_size_on_sora_2_names_the_model_and_the_sizes() -> None:
    with pytest.raises(ContractError) as caught:
        STANDARD.check(model="sora-2", size="1792x1024", seconds="4")
    error = caught.value
    assert (error.field, error.value, error.allowed) == ("size", "1792x1024", ("1280x720", "720x1280"))
    assert "not supported by model 'sora-2'" in str(error)
    assert isinstance(error, InputError) and error.exit_code == 2


def test_unknown_size_and_malformed_size() -> None:
    with pytest.raises(ContractError, match="Supported values are: '1280x720' and '720x1280'"):
        STANDARD.check(model="sora-2", size="640x480", seconds="4")
    with pytest.raises(ContractError, match=r"written '\{width\}x\{height\}'"):
        parse_size("wide")


def test_seconds_rules() -> None:
    assert check_seconds("8") == "8"
    with pytest.raises(ContractError, match="Supported values are: '4', '8', and '12'"):
        check_seconds("10")
    with pytest.raises(ContractError, match=r'got an integer instead\. Quote it: seconds: "4"') as caught:
        check_seconds(4)
    assert caught.value.code == "invalid_type"


def test_extended_profile_adds_long_clips_and_1080p_for_pro_only() -> None:
    EXTENDED.check(model="sora-2-pro", size="1920x1080", seconds="20")
    with pytest.raises(ContractError):
        STANDARD.check(model="sora-2-pro", size="1920x1080", seconds="4")
    with pytest.raises(ContractError):
        EXTENDED.check(model="sora-2", size="1920x1080", seconds="4")
    with pytest.raises(ContractError):
        STANDARD.check(model="sora-2", size="1280x720", seconds="16")
    assert get_profile("extended") is EXTENDED
    with pytest.raises(ContractError, match="'standard' and 'extended'"):
        get_profile("turbo")


def test_unknown_model() -> None:
    with pytest.raises(ContractError, match="Invalid value: 'sora-3'") as caught:
        STANDARD.check(model="sora-3", size="1280x720", seconds="4")
    assert caught.value.field == "model"


def test_prompt_limits() -> None:
    assert check_prompt("A kite climbs over a windy ridge.")
    with pytest.raises(ContractError, match="empty"):
        check_prompt("   ")
    with pytest.raises(ContractError, match="maximum length 32000"):
        check_prompt("x" * 32001)


def test_prices_known_and_unknown() -> None:
    assert estimate_cost("sora-2", "1280x720", "4") == pytest.approx(0.4)
    assert estimate_cost("sora-2-pro", "1792x1024", "8") == pytest.approx(4.0)
    assert estimate_cost("wan-2.1", "832x480", "4") is None


# --- reference images ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "sniffed"), [("PNG", "png"), ("JPEG", "jpeg"), ("WEBP", "webp"), ("GIF", "gif"), ("BMP", "bmp")]
)
def test_sniff_format_by_bytes(kind: str, sniffed: str) -> None:
    assert sniff_format(image_bytes((16, 16), kind)) == sniffed


def test_sniff_unknown() -> None:
    assert sniff_format(b"hello world") is None
    assert sniff_format(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 8) == "heic"


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
def test_allowed_formats_are_read(kind: str) -> None:
    reference = read_reference(image_bytes((1280, 720), kind), name="still")
    assert (reference.format, reference.size) == (kind.lower(), "1280x720")
    assert reference.mime_type == f"image/{kind.lower()}"
    check_reference_size(reference, "1280x720")


def test_gif_with_a_png_name_is_refused(tmp_path) -> None:
    path = tmp_path / "still.png"
    path.write_bytes(image_bytes((1280, 720), "GIF"))
    with pytest.raises(ReferenceImageError, match="is a GIF image") as caught:
        read_reference(path)
    assert caught.value.code == "invalid_image_format"


def test_size_must_match_exactly() -> None:
    reference = read_reference(image_bytes((1280, 721), "PNG"))
    with pytest.raises(ReferenceImageError, match=r"the image is 1280x721 but it must match .* \(1280x720\)") as caught:
        check_reference_size(reference, "1280x720")
    assert caught.value.code == "invalid_image_size"


def test_bomb_header_is_refused_before_decoding() -> None:
    with pytest.raises(ReferenceImageError, match="30000x30000") as caught:
        read_reference(png_header_only(30000, 30000), name="bomb.png")
    assert caught.value.code == "image_too_large"


def test_truncated_png_is_refused() -> None:
    data = image_bytes((64, 64), "PNG")
    with pytest.raises(ReferenceImageError):
        read_reference(data[:60], name="cut.png")


def test_missing_reference_file(tmp_path) -> None:
    with pytest.raises(ReferenceImageError, match="no such file"):
        read_reference(tmp_path / "none.png")


def test_fit_cover_crops_the_centre() -> None:
    source = Image.new("RGB", (1000, 1000), (0, 0, 255))
    fitted, record = fit(source, (1280, 720), mode="cover")
    assert fitted.size == (1280, 720)
    assert record.changed and record.scale == pytest.approx(1.28)
    assert record.crop == (0, 280, 0, 280)
    assert "cover-cropped 1000x1000 to 1280x720" in record.describe()


def test_fit_letterbox_pads_with_black() -> None:
    source = Image.new("RGB", (1000, 1000), (255, 255, 255))
    fitted, record = fit(source, (1280, 720), mode="letterbox")
    assert fitted.size == (1280, 720)
    assert record.padding == (280, 0, 280, 0)
    assert fitted.getpixel((10, 360)) == (0, 0, 0)
    assert fitted.getpixel((640, 360)) == (255, 255, 255)


def test_fit_keeps_an_exact_image() -> None:
    source = Image.new("RGB", (1280, 720))
    fitted, record = fit(source, (1280, 720))
    assert not record.changed and record.describe() == "kept 1280x720 unchanged"
    assert fitted.size == (1280, 720)


def test_fit_refuses_an_unknown_mode() -> None:
    with pytest.raises(ReferenceImageError, match="'cover' and 'letterbox'"):
        fit(Image.new("RGB", (10, 10)), (20, 20), mode="stretch")  # type: ignore[arg-type]


def test_a_servers_error_answers_become_our_errors() -> None:
    """The SDK's errors, translated once (`contract/answers.py`): each status to its place in the tree,
    keeping the server's param and code; an unknown status names itself."""
    from cinebrief.contract.answers import from_answer
    from cinebrief.errors import (
        CinebriefError,
        ConflictError,
        InputError,
        NotFoundError,
        StorageError,
        TooManyJobsError,
    )

    cases = [
        (400, InputError),
        (401, InputError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, TooManyJobsError),
        (507, StorageError),
        (502, CinebriefError),
    ]
    for status, kind in cases:
        error = from_answer(status, "the server's words", param="seconds", code="some_code")
        assert type(error) is kind, status
        assert "the server's words" in error.message and error.code == "some_code"
    assert from_answer(400, "x", param="size").field == "size"
    assert from_answer(404, "x").field == "video_id"
    assert from_answer(502, "x").message == "The server answered 502: x"
