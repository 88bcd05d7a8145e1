"""The model families this backend runs, as data: pipeline classes per mode, geometry and the authors' defaults.

One table says, for every family, which diffusers class makes text-to-video, image-to-video and
video-to-video (the remix) from one folder's weights, what sizes and frame counts the model accepts, and the
generation settings its authors publish. `folder.py` reads a folder and picks the row; `mapping.py` turns
the defaults into one pipeline call. Nothing here imports torch.

| family    | folders (`_class_name`)                                  | remix pipeline                 |
|-----------|----------------------------------------------------------|--------------------------------|
| wan       | WanPipeline (2.1 T2V, 2.2 A14B T2V, 2.2 TI2V-5B),        | WanVideoToVideoPipeline        |
|           | WanImageToVideoPipeline (2.1 I2V, 2.2 A14B I2V)          | (one transformer, 16 channels) |
| ltx       | LTXPipeline, LTXImageToVideoPipeline (LTX-Video 0.9.0-1) | LTXConditionPipeline (video)   |
| ltx       | LTXConditionPipeline (LTX-Video 0.9.5, 0.9.7, 0.9.8)     | LTXConditionPipeline (video)   |
| ltx2      | LTX2Pipeline, LTX2ImageToVideoPipeline (LTX-2, sound)    | LTX2ConditionPipeline (video)  |
| hunyuan15 | HunyuanVideo15Pipeline (HunyuanVideo 1.5 text-to-video)  | none: remix is refused         |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The negative prompts the model authors publish with their examples.
WAN_NEGATIVE_PROMPT = (
    "Bright tones, overexposed, static, blurred details, subtitles, style, works, paintings, images, static, "
    "overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, extra fingers, poorly "
    "drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still picture, "
    "messy background, three legs, many people in the background, walking backwards"
)
LTX_NEGATIVE_PROMPT = "worst quality, inconsistent motion, blurry, jittery, distorted"


@dataclass(frozen=True)
class Variant:
    """One kind of folder: its pipelines per mode, its geometry, and its authors' generation defaults."""

    family: str
    name: str  # shown to users: "wan2.2-ti2v", "ltx-0.9.5+", ...
    text_to_video: str | None
    image_to_video: str | None
    video_to_video: str | None
    size_multiple: int  # the family's floor; the folder's VAE and patch size may raise it
    frame_multiple: int  # frames are `frame_multiple * k + 1`
    fps: int
    max_frames: int  # the longest clip the model was trained on
    defaults: dict[str, Any] = field(default_factory=dict)  # steps, guidance, flow_shift, ...
    remix_refusal: str = ""  # why this variant cannot remix, when `video_to_video` is None
    component_dtypes: dict[str, str] = field(default_factory=dict)  # kept in a dtype other than the default
    audio: bool = False  # the model makes a sound track itself

    @property
    def max_seconds(self) -> int:
        return max(1, (self.max_frames - 1) // self.fps)


_WAN_COMMON = {"negative_prompt": WAN_NEGATIVE_PROMPT, "max_sequence_length": 512}
_LTX_COMMON = {
    "negative_prompt": LTX_NEGATIVE_PROMPT,
    "max_sequence_length": 128,
    "decode_timestep": 0.05,
    "decode_noise_scale": 0.025,
}
# diffusers documents the Wan VAE in float32 (its decode is where bf16 loses detail), and Wan 2.1 I2V's CLIP
# image encoder in float32 too.
_WAN_VAE_FP32 = {"vae": "float32"}

WAN21_T2V = Variant(
    "wan", "wan2.1-t2v", "WanPipeline", None, "WanVideoToVideoPipeline", 16, 4, 16, 81,
    {**_WAN_COMMON, "steps": 50, "guidance": 5.0, "flow_shift": 5.0, "max_area": 1280 * 720, "remix_strength": 0.7},
    component_dtypes=_WAN_VAE_FP32,
)  # fmt: skip
WAN21_I2V = Variant(
    "wan", "wan2.1-i2v", None, "WanImageToVideoPipeline", None, 16, 4, 16, 81,
    {**_WAN_COMMON, "steps": 40, "guidance": 5.0, "flow_shift": 5.0, "max_area": 1280 * 720},
    remix_refusal="an image-to-video Wan transformer (36 input channels) cannot run video-to-video",
    component_dtypes={**_WAN_VAE_FP32, "image_encoder": "float32"},
)  # fmt: skip
WAN22_A14B_T2V = Variant(
    "wan", "wan2.2-a14b-t2v", "WanPipeline", None, None, 16, 4, 16, 81,
    {**_WAN_COMMON, "steps": 40, "guidance": 4.0, "guidance_2": 3.0, "flow_shift": 12.0, "max_area": 1280 * 720},
    remix_refusal="Wan's video-to-video pipeline runs one transformer; A14B needs its two experts",
    component_dtypes=_WAN_VAE_FP32,
)  # fmt: skip
WAN22_A14B_I2V = Variant(
    "wan", "wan2.2-a14b-i2v", None, "WanImageToVideoPipeline", None, 16, 4, 16, 81,
    {**_WAN_COMMON, "steps": 40, "guidance": 3.5, "guidance_2": 3.5, "flow_shift": 5.0, "max_area": 1280 * 720},
    remix_refusal="Wan's video-to-video pipeline runs one transformer; A14B needs its two experts",
    component_dtypes=_WAN_VAE_FP32,
)  # fmt: skip
WAN22_TI2V = Variant(
    "wan", "wan2.2-ti2v", "WanPipeline", "WanImageToVideoPipeline", "WanVideoToVideoPipeline", 16, 4, 24, 121,
    {**_WAN_COMMON, "steps": 50, "guidance": 5.0, "flow_shift": 5.0, "max_area": 1280 * 704, "remix_strength": 0.7},
    component_dtypes=_WAN_VAE_FP32,
)  # fmt: skip
LTX_09 = Variant(
    "ltx", "ltx-0.9", "LTXPipeline", "LTXImageToVideoPipeline", "LTXConditionPipeline", 32, 8, 24, 257,
    {**_LTX_COMMON, "steps": 50, "guidance": 3.0, "max_area": 768 * 512, "remix_strength": 0.6},
)  # fmt: skip
LTX_CONDITION = Variant(
    "ltx", "ltx-0.9.5+", "LTXConditionPipeline", "LTXConditionPipeline", "LTXConditionPipeline", 32, 8, 24, 257,
    {**_LTX_COMMON, "steps": 40, "guidance": 3.0, "max_area": 1216 * 704, "remix_strength": 0.6},
)  # fmt: skip
LTX2 = Variant(
    "ltx2", "ltx-2", "LTX2Pipeline", "LTX2ImageToVideoPipeline", "LTX2ConditionPipeline", 32, 8, 24, 481,
    {**_LTX_COMMON, "max_sequence_length": 1024, "steps": 40, "guidance": 4.0, "max_area": 1280 * 704,
     "remix_strength": 0.6},
    audio=True,
)  # fmt: skip
HUNYUAN15_T2V = Variant(
    "hunyuan15", "hunyuanvideo-1.5-t2v", "HunyuanVideo15Pipeline", None, None, 16, 4, 24, 121,
    {"negative_prompt": "", "steps": 50, "guidance": 6.0, "max_area": 1280 * 720, "max_sequence_length": 1000},
    remix_refusal="diffusers has no video-to-video pipeline for HunyuanVideo 1.5",
)  # fmt: skip

FAMILIES = ("wan", "ltx", "ltx2", "hunyuan15")
# model_index `_class_name` -> family (the variant also reads the index and configs, see `variant_for`).
PIPELINE_FAMILY = {
    "WanPipeline": "wan",
    "WanImageToVideoPipeline": "wan",
    "LTXPipeline": "ltx",
    "LTXImageToVideoPipeline": "ltx",
    "LTXConditionPipeline": "ltx",
    "LTX2Pipeline": "ltx2",
    "LTX2ImageToVideoPipeline": "ltx2",
    "HunyuanVideo15Pipeline": "hunyuan15",
}


def variant_for(class_name: str, index: dict[str, Any]) -> Variant:
    """The variant of a folder from its model_index (class, `expand_timesteps`, a second transformer)."""
    two_experts = _present(index.get("transformer_2")) or index.get("boundary_ratio") is not None
    if class_name == "WanPipeline":
        if index.get("expand_timesteps"):
            return WAN22_TI2V
        return WAN22_A14B_T2V if two_experts else WAN21_T2V
    if class_name == "WanImageToVideoPipeline":
        return WAN22_A14B_I2V if two_experts else WAN21_I2V
    if class_name == "LTXConditionPipeline":
        return LTX_CONDITION
    if class_name in ("LTXPipeline", "LTXImageToVideoPipeline"):
        return LTX_09
    if class_name in ("LTX2Pipeline", "LTX2ImageToVideoPipeline"):
        return LTX2
    if class_name == "HunyuanVideo15Pipeline":
        return HUNYUAN15_T2V
    raise ValueError(f"no variant for {class_name}")  # unreachable: the caller checked PIPELINE_FAMILY


def _present(entry: Any) -> bool:
    return isinstance(entry, list) and len(entry) == 2 and entry[0] is not None and entry[1] is not None
