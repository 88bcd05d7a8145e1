"""Tiny random-weight Wan and LTX-Video model folders, built from config with no download.

They exercise the real loading, mapping and generation path on a CPU in well under a second. Their weights
are random, so their pictures are noise. Each folder also carries a `cinebrief.json` of small defaults
(working area, fps, steps) so that it runs fast whatever size a request asks for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cinebrief.backends.diffusers.folder import FOLDER_DEFAULTS_FILE
from cinebrief.errors import ConfigError

FAMILIES = ("wan", "ltx")

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
_FOLDER_DEFAULTS: dict[str, dict[str, Any]] = {
    "wan": {"fps": 8, "max_area": 64 * 64, "steps": 2, "guidance": 6.0, "max_sequence_length": 16},
    "ltx": {"fps": 8, "max_area": 64 * 64, "steps": 2, "guidance": 3.0, "max_sequence_length": 16},
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


def _wan_pipeline() -> Any:
    import torch
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanPipeline, WanTransformer3DModel
    from transformers import UMT5Config, UMT5EncoderModel

    torch.manual_seed(0)
    vae = AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    )
    torch.manual_seed(0)
    text_encoder = UMT5EncoderModel(UMT5Config(**_TEXT_ENCODER))
    torch.manual_seed(0)
    transformer = WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=16,
        out_channels=16,
        text_dim=32,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
    )
    # `expand_timesteps` makes it a TI2V model like Wan 2.2 5B: one folder for text- and image-to-video.
    return WanPipeline(
        tokenizer=_tokenizer(),
        text_encoder=text_encoder,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0),
        transformer=transformer,
        transformer_2=None,
        expand_timesteps=True,
    )


def _ltx_pipeline() -> Any:
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
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
    return LTXPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=FlowMatchEulerDiscreteScheduler(),
        text_encoder=text_encoder,
        tokenizer=_tokenizer(),
    )


def write_tiny_model(directory: str | Path, family: str) -> Path:
    """Build a tiny random-weight pipeline of `family` and save it, loadable offline, into `directory`."""
    if family not in FAMILIES:
        raise ConfigError(f"Unknown model family '{family}'. Supported families: {', '.join(FAMILIES)}.")
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise ConfigError(f"'{target}' is not empty; a tiny model is written into a new or empty folder.")
    from cinebrief.backends.diffusers.runtime import quiet_libraries

    quiet_libraries()
    pipeline = _wan_pipeline() if family == "wan" else _ltx_pipeline()
    target.mkdir(parents=True, exist_ok=True)
    pipeline.save_pretrained(str(target))
    defaults = {"family": family, **_FOLDER_DEFAULTS[family]}
    (target / FOLDER_DEFAULTS_FILE).write_text(json.dumps(defaults, indent=2) + "\n", encoding="utf-8")
    return target
