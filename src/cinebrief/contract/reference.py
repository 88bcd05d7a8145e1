"""`input_reference` images: sniff the real format, check the size, refuse decompression bombs, and fit.

The format comes from the file's bytes, never its name: a GIF called `still.png` is a GIF. The size must
equal the request's `size` exactly; `fit` is the opt-in tool that makes it so and says what it changed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from cinebrief.errors import ReferenceImageError

ALLOWED_FORMATS = ("jpeg", "png", "webp")
MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# 8K by 8K: far above any video size, far below what would exhaust memory while decoding.
MAX_PIXELS = 64_000_000

FitMode = Literal["cover", "letterbox"]


def sniff_format(data: bytes) -> str | None:
    """The image format by magic bytes: jpeg, png, webp, gif, bmp, tiff, heic, avif, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
            return "heic"
        if brand in (b"avif", b"avis"):
            return "avif"
    return None


@dataclass(frozen=True)
class ReferenceImage:
    """A checked reference image: its real format and pixel size, and the bytes it came from."""

    data: bytes
    format: str
    width: int
    height: int
    name: str = "input_reference"

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"

    def open(self) -> Image.Image:
        """Decode to an RGB Pillow image."""
        with Image.open(io.BytesIO(self.data)) as image:
            image.load()
            return image.convert("RGB")


def read_reference(source: bytes | str | Path, *, name: str | None = None) -> ReferenceImage:
    """Read and check a reference: allowed format by its bytes, decodable header, below the pixel limit."""
    if isinstance(source, bytes):
        data, label = source, name or "input_reference"
    else:
        path = Path(source)
        label = name or str(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ReferenceImageError(
                f"Invalid 'input_reference': no such file '{label}'.", field="input_reference", value=label
            ) from None
        except OSError as exc:
            raise ReferenceImageError(
                f"Invalid 'input_reference': cannot read '{label}' ({exc.strerror}).",
                field="input_reference",
                value=label,
            ) from None
    kind = sniff_format(data)
    if kind not in ALLOWED_FORMATS:
        found = f"a {kind.upper()} image" if kind else "not an image we recognise"
        raise ReferenceImageError(
            f"Invalid 'input_reference': '{label}' is {found}; supported formats are "
            "image/jpeg, image/png and image/webp (judged by the file's content, not its name).",
            field="input_reference",
            value=label,
            allowed=tuple(MIME_TYPES.values()),
            code="invalid_image_format",
        )
    width, height = _header_size(data, label)
    if width * height > MAX_PIXELS:
        raise ReferenceImageError(
            f"Invalid 'input_reference': '{label}' is {width}x{height} ({width * height:,} pixels), "
            f"over the limit of {MAX_PIXELS:,} pixels; it will not be decoded.",
            field="input_reference",
            value=label,
            code="image_too_large",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # every pixel, so an image whose header lies about its data fails here, not in a job
    except Exception as exc:  # Pillow raises many types for corrupt data
        raise ReferenceImageError(
            f"Invalid 'input_reference': '{label}' is a corrupt {kind.upper()} file ({exc}).",
            field="input_reference",
            value=label,
            code="invalid_image",
        ) from None
    return ReferenceImage(data=data, format=kind, width=width, height=height, name=label)


def _header_size(data: bytes, label: str) -> tuple[int, int]:
    """Read the pixel size from the header only, before any decoding (bomb-safe)."""
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # we apply our own limit, with a better message
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ReferenceImageError(
            f"Invalid 'input_reference': '{label}' cannot be read as an image ({exc}).",
            field="input_reference",
            value=label,
            code="invalid_image",
        ) from None
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def check_reference_size(reference: ReferenceImage, size: str) -> None:
    """The API's rule: the reference's pixel size equals the requested size, exactly."""
    if reference.size != size:
        raise ReferenceImageError(
            f"Invalid 'input_reference': the image is {reference.size} but it must match the requested "
            f"width and height ({size}). Resize it, or fit it (cover-crop or letterbox) first.",
            field="input_reference",
            value=reference.size,
            allowed=(size,),
            code="invalid_image_size",
        )


@dataclass(frozen=True)
class FitRecord:
    """What `fit` did: from which size to which, how, scale, and the crop or padding in pixels."""

    mode: FitMode
    source_size: tuple[int, int]
    target_size: tuple[int, int]
    scale: float
    crop: tuple[int, int, int, int] = (0, 0, 0, 0)  # left, top, right, bottom removed (scaled pixels)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)  # left, top, right, bottom added

    @property
    def changed(self) -> bool:
        return self.source_size != self.target_size

    def describe(self) -> str:
        src = "x".join(map(str, self.source_size))
        dst = "x".join(map(str, self.target_size))
        if not self.changed:
            return f"kept {src} unchanged"
        if self.mode == "cover":
            left, top, right, bottom = self.crop
            return (
                f"cover-cropped {src} to {dst}: scaled x{self.scale:.3f}, cropped {left}/{right} px "
                f"left/right and {top}/{bottom} px top/bottom"
            )
        left, top, right, bottom = self.padding
        return (
            f"letterboxed {src} into {dst}: scaled x{self.scale:.3f}, padded {left}/{right} px "
            f"left/right and {top}/{bottom} px top/bottom with black"
        )


def fit(
    image: Image.Image,
    size: tuple[int, int],
    *,
    mode: FitMode = "cover",
    fill: tuple[int, int, int] = (0, 0, 0),
) -> tuple[Image.Image, FitRecord]:
    """Make `image` exactly `size`: `cover` scales to fill and crops the centre, `letterbox` pads."""
    target_w, target_h = size
    source_w, source_h = image.size
    rgb = image.convert("RGB")
    if (source_w, source_h) == (target_w, target_h):
        return rgb, FitRecord(mode, (source_w, source_h), size, 1.0)
    if mode == "cover":
        scale = max(target_w / source_w, target_h / source_h)
        fitted = ImageOps.fit(rgb, size, method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
        scaled_w, scaled_h = round(source_w * scale), round(source_h * scale)
        extra_w, extra_h = max(scaled_w - target_w, 0), max(scaled_h - target_h, 0)
        crop = (extra_w // 2, extra_h // 2, extra_w - extra_w // 2, extra_h - extra_h // 2)
        return fitted, FitRecord(mode, (source_w, source_h), size, scale, crop=crop)
    if mode == "letterbox":
        scale = min(target_w / source_w, target_h / source_h)
        scaled = (max(1, round(source_w * scale)), max(1, round(source_h * scale)))
        canvas = Image.new("RGB", size, fill)
        left, top = (target_w - scaled[0]) // 2, (target_h - scaled[1]) // 2
        canvas.paste(rgb.resize(scaled, Image.Resampling.LANCZOS), (left, top))
        padding = (left, top, target_w - scaled[0] - left, target_h - scaled[1] - top)
        return canvas, FitRecord(mode, (source_w, source_h), size, scale, padding=padding)
    raise ReferenceImageError(
        f"Invalid fit mode '{mode}'. Supported values are: 'cover' and 'letterbox'.",
        field="fit",
        value=mode,
        allowed=("cover", "letterbox"),
    )


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
