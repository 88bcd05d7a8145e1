"""Tiny random-weight model folders of every family and layout, built from config with no download.

They exercise the real loading, mapping and generation path on a CPU in about a second. Their weights are
random, so their pictures (and LTX-2's sound) are noise. Each folder also carries a `cinebrief.json` of small
defaults (working area, fps, steps) so that it runs fast whatever size a request asks for.

| kind          | layout of                                   | pipeline saved                       |
|---------------|---------------------------------------------|--------------------------------------|
| wan           | Wan 2.2 TI2V-5B (`expand_timesteps`)        | WanPipeline                          |
| wan2.1-t2v    | Wan 2.1 T2V                                 | WanPipeline                          |
| wan2.1-i2v    | Wan 2.1 I2V (CLIP image encoder, 36 ch.)    | WanImageToVideoPipeline              |
| wan2.2-a14b   | Wan 2.2 A14B T2V (two experts, boundary)    | WanPipeline with transformer_2       |
| ltx           | LTX-Video 0.9.0/0.9.1                       | LTXPipeline                          |
| ltx-condition | LTX-Video 0.9.5/0.9.7/0.9.8                 | LTXConditionPipeline                 |
| ltx2          | LTX-2 (Gemma 3 encoder, audio VAE, vocoder) | LTX2Pipeline                         |
| hunyuan15     | HunyuanVideo 1.5 T2V (Qwen2.5-VL + ByT5)    | HunyuanVideo15Pipeline               |
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cinebrief.backends.diffusers.folder import FOLDER_DEFAULTS_FILE
from cinebrief.errors import ConfigError

KINDS = ("wan", "wan2.1-t2v", "wan2.1-i2v", "wan2.2-a14b", "ltx", "ltx-condition", "ltx2", "hunyuan15")

# A Unigram vocabulary held in memory: the special tokens, a few whole words and single characters.
_WORDS = (
    "a",
    "an",
    "the",
    "of",
    "and",
    "in",
    "on",
    "with",
    "to",
    "is",
    "cat",
    "dog",
    "monkey",
    "dance",
    "red",
    "blue",
    "green",
    "sky",
    "sea",
    "city",
    "night",
    "day",
    "walk",
    "run",
    "fly",
    "car",
    "tree",
)
_CHARACTERS = [*"abcdefghijklmnopqrstuvwxyz0123456789", ".", ",", "!", "?", "'", "-"]

# The text encoder shared by both families (T5 for LTX, UMT5 for Wan).
_TEXT_ENCODER = {
    "vocab_size": 73,
    "d_model": 32,
    "d_kv": 8,
    "d_ff": 37,
    "num_layers": 2,
    "num_heads": 4,
    "relative_attention_num_buckets": 8,
    "pad_token_id": 0,
    "eos_token_id": 1,
    "decoder_start_token_id": 0,
}

# What a tiny folder suggests to the backend: a small working area, few steps, short prompts.
_SMALL = {"fps": 8, "max_area": 64 * 64, "steps": 2, "max_sequence_length": 16, "max_seconds": 12}
_FOLDER_DEFAULTS: dict[str, dict[str, Any]] = {
    "wan": {**_SMALL, "guidance": 6.0},
    "ltx": {**_SMALL, "guidance": 3.0},
    "ltx2": {**_SMALL, "guidance": 3.0, "max_seconds": 20},
    "hunyuan15": {**_SMALL, "guidance": 6.0},
}


def vocabulary() -> list[tuple[str, float]]:
    """The tiny tokenizer's (piece, score) list: 73 entries, ids 0-2 are pad, eos and unk."""
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    pieces += [(f"▁{word}", -3.0) for word in _WORDS]
    pieces += [(character, -6.0) for character in _CHARACTERS]
    return pieces


def _tokenizer() -> Any:
    from transformers import T5Tokenizer

    return T5Tokenizer(vocab=vocabulary(), extra_ids=0)


def _wan_transformer(*, in_channels: int = 16, image_dim: int | None = None) -> Any:
    from diffusers import WanTransformer3DModel

    return WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=in_channels,
        out_channels=16,
        text_dim=32,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
        image_dim=image_dim,
    )


def _wan_pipeline(kind: str) -> Any:
    import torch
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline, WanPipeline
    from transformers import UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    )
    torch.manual_seed(0)
    text_encoder = UMT5EncoderModel(UMT5Config(**_TEXT_ENCODER))
    torch.manual_seed(0)
    common = {
        "tokenizer": _tokenizer(),
        "text_encoder": text_encoder,
        "vae": vae,
        "scheduler": FlowMatchEulerDiscreteScheduler(shift=7.0),
    }
    if kind == "wan2.1-i2v":
        from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

        # Wan 2.1 I2V: a CLIP image encoder, and a transformer that takes 16 noise + 20 image channels.
        encoder = CLIPVisionModel(
            CLIPVisionConfig(
                hidden_size=4, intermediate_size=16, num_hidden_layers=2, num_attention_heads=2,
                image_size=32, patch_size=16, projection_dim=4,
            )
        )  # fmt: skip
        torch.manual_seed(0)
        transformer = _wan_transformer(in_channels=36, image_dim=4)
        processor = CLIPImageProcessor(crop_size=32, size=32)
        return WanImageToVideoPipeline(
            **common, image_encoder=encoder, image_processor=processor, transformer=transformer, transformer_2=None
        )
    transformer = _wan_transformer()
    if kind == "wan2.2-a14b":
        torch.manual_seed(1)
        # Two experts: the first denoises above the boundary (high noise), the second below it.
        return WanPipeline(**common, transformer=transformer, transformer_2=_wan_transformer(), boundary_ratio=0.875)
    # `expand_timesteps` makes it a TI2V model like Wan 2.2 5B: one folder for text- and image-to-video.
    return WanPipeline(**common, transformer=transformer, transformer_2=None, expand_timesteps=kind == "wan")


def _ltx_pipeline(kind: str) -> Any:
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXConditionPipeline,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )
    from transformers import T5Config, T5EncoderModel

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=32,
    )
    torch.manual_seed(0)
    # The whole VAE list matters: the short form of older examples changes the output shape.
    vae = AutoencoderKLLTXVideo(
        in_channels=3,
        out_channels=3,
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        decoder_inject_noise=(False, False, False, False, False),
        upsample_residual=(False, False, False, False),
        upsample_factor=(1, 1, 1, 1),
        timestep_conditioning=False,
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    torch.manual_seed(0)
    text_encoder = T5EncoderModel(T5Config(**_TEXT_ENCODER))
    pipeline_type = LTXConditionPipeline if kind == "ltx-condition" else LTXPipeline
    return pipeline_type(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=text_encoder,
        tokenizer=_tokenizer(),
    )


def _gemma_tokenizer() -> Any:
    """A byte-level BPE tokenizer of single characters in Gemma's class, held in memory (no merges)."""
    from transformers import GemmaTokenizer

    pieces = ["<pad>", "<eos>", "<bos>", "<unk>", "<mask>", *_CHARACTERS, "▁"]
    return GemmaTokenizer(vocab={piece: index for index, piece in enumerate(pieces)}, merges=[])


def _ltx2_pipeline() -> Any:
    import torch
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2Pipeline,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    torch.manual_seed(0)
    text_encoder = Gemma3ForConditionalGeneration(
        Gemma3Config(
            text_config={
                "vocab_size": 73, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2,
                "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 8, "max_position_embeddings": 64,
                "sliding_window": 16, "pad_token_id": 0, "eos_token_id": 1, "bos_token_id": 2,
            },
            vision_config={
                "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                "image_size": 16, "patch_size": 8,
            },
            mm_tokens_per_image=4, image_token_index=72, boi_token_index=70, eoi_token_index=71,
        )
    )  # fmt: skip
    hidden, layers = 16, 2
    torch.manual_seed(0)
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2, attention_head_dim=8,
        cross_attention_dim=16, audio_in_channels=4, audio_out_channels=4, audio_num_attention_heads=2,
        audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2, qk_norm="rms_norm_across_heads",
        caption_channels=hidden, rope_double_precision=False, rope_type="split",
    )  # fmt: skip
    torch.manual_seed(0)
    connectors = LTX2TextConnectors(
        caption_channels=hidden, text_proj_in_factor=layers + 1, video_connector_num_attention_heads=2,
        video_connector_attention_head_dim=8, video_connector_num_layers=1,
        video_connector_num_learnable_registers=None, audio_connector_num_attention_heads=2,
        audio_connector_attention_head_dim=8, audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None, connector_rope_base_seq_len=32, rope_theta=10000.0,
        rope_double_precision=False, causal_temporal_positioning=False, rope_type="split",
    )  # fmt: skip
    torch.manual_seed(0)
    vae = AutoencoderKLLTX2Video(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8,), decoder_block_out_channels=(8,),
        layers_per_block=(1,), decoder_layers_per_block=(1, 1), spatio_temporal_scaling=(True,),
        decoder_spatio_temporal_scaling=(True,), decoder_inject_noise=(False, False),
        downsample_type=("spatiotemporal",),
        upsample_residual=(False,), upsample_factor=(1,), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False,
    )  # fmt: skip
    torch.manual_seed(0)
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1, attn_resolutions=None, in_channels=2,
        resolution=32, latent_channels=2, norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=8,
    )  # fmt: skip
    torch.manual_seed(0)
    vocoder = LTX2Vocoder(
        in_channels=2 * 8, hidden_channels=32, out_channels=2, upsample_kernel_sizes=[4, 4], upsample_factors=[2, 2],
        resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]], leaky_relu_negative_slope=0.1,
        output_sampling_rate=16000,
    )  # fmt: skip
    return LTX2Pipeline(
        scheduler=FlowMatchEulerDiscreteScheduler(),
        vae=vae,
        audio_vae=audio_vae,
        text_encoder=text_encoder,
        tokenizer=_gemma_tokenizer(),
        connectors=connectors,
        transformer=transformer,
        vocoder=vocoder,
    )


def _hunyuan15_pipeline() -> Any:
    import torch
    from diffusers import (
        AutoencoderKLHunyuanVideo15,
        FlowMatchEulerDiscreteScheduler,
        HunyuanVideo15Pipeline,
        HunyuanVideo15Transformer3DModel,
    )
    from diffusers.guiders import ClassifierFreeGuidance
    from transformers import (
        ByT5Tokenizer,
        Qwen2_5_VLTextConfig,
        Qwen2_5_VLTextModel,
        Qwen2Tokenizer,
        T5Config,
        T5EncoderModel,
    )

    torch.manual_seed(0)
    transformer = HunyuanVideo15Transformer3DModel(
        in_channels=9, out_channels=4, num_attention_heads=2, attention_head_dim=8, num_layers=1,
        num_refiner_layers=1, mlp_ratio=2.0, patch_size=1, patch_size_t=1, text_embed_dim=16, text_embed_2_dim=32,
        image_embed_dim=12, rope_axes_dim=(2, 2, 4), target_size=16, task_type="t2v",
    )  # fmt: skip
    torch.manual_seed(0)
    vae = AutoencoderKLHunyuanVideo15(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(16, 16), layers_per_block=1,
        spatial_compression_ratio=4, temporal_compression_ratio=2, downsample_match_channel=False,
        upsample_match_channel=False,
    )  # fmt: skip
    torch.manual_seed(0)
    text_encoder = Qwen2_5_VLTextModel(
        Qwen2_5_VLTextConfig(
            hidden_size=16, intermediate_size=16, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2,
            vocab_size=128, rope_theta=1000000.0,
            rope_scaling={"mrope_section": [1, 1, 2], "rope_type": "default", "type": "default"},
        )
    )  # fmt: skip
    # A byte-level BPE of single characters in Qwen's class, with a chat template (the pipeline formats prompts
    # as a chat); ByT5 needs no vocabulary file.
    pieces = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", *_CHARACTERS, " "]
    tokenizer = Qwen2Tokenizer(
        vocab={piece: index for index, piece in enumerate(pieces)},
        merges=[],
        unk_token="<|endoftext|>",
        pad_token="<|endoftext|>",
    )
    tokenizer.chat_template = "{% for message in messages %}<|im_start|>{{ message['content'] }}<|im_end|>{% endfor %}"
    torch.manual_seed(0)
    text_encoder_2 = T5EncoderModel(T5Config(**{**_TEXT_ENCODER, "vocab_size": 384}))
    return HunyuanVideo15Pipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        text_encoder=text_encoder,
        text_encoder_2=text_encoder_2,
        tokenizer=tokenizer,
        tokenizer_2=ByT5Tokenizer(),
        guider=ClassifierFreeGuidance(guidance_scale=6.0),
    )


def write_tiny_model(directory: str | Path, kind: str) -> Path:
    """Build a tiny random-weight pipeline of `kind` (see `KINDS`) and save it, loadable offline, into `directory`."""
    if kind not in KINDS:
        raise ConfigError(f"Unknown tiny model kind '{kind}'. Supported: {', '.join(KINDS)}.")
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"'{target}' is not empty; a tiny model is written into a new or empty folder.")
    from cinebrief.backends.diffusers.runtime import quiet_libraries

    quiet_libraries()
    if kind.startswith("wan"):
        pipeline, family = _wan_pipeline(kind), "wan"
    elif kind == "ltx2":
        pipeline, family = _ltx2_pipeline(), "ltx2"
    elif kind == "hunyuan15":
        pipeline, family = _hunyuan15_pipeline(), "hunyuan15"
    else:
        pipeline, family = _ltx_pipeline(kind), "ltx"
    target.mkdir(parents=True, exist_ok=True)
    pipeline.save_pretrained(str(target))
    defaults = {"family": family, **_FOLDER_DEFAULTS[family]}
    (target / FOLDER_DEFAULTS_FILE).write_text(json.dumps(defaults, indent=2) + "\n", encoding="utf-8")
    return target
