"""Builders reached through a relative import."""

from hydra.utils import instantiate as make

from .heads import attach


def build_encoder(enc_cfg, vocab):
    encoder = make(enc_cfg.backbone, vocab, _convert_="all")
    attach(encoder, head_cfg=enc_cfg.head)
    return encoder
