"""Create what configs/tiny/lora_cpu.yaml needs, once: a SentencePiece tokenizer trained here,
random llama2 weights in torchtune's format, and a small alpaca-style JSON dataset.

Runs in the recipe runtime (torch, torchtune, sentencepiece). Idempotent: present files are kept.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / ".artifacts"
VOCAB = 512
WORDS = (
    "the model learns to answer short questions about numbers colors animals and places "
    "a tiny dataset keeps this run fast on a laptop cpu while exercising the whole recipe "
    "tokenizer checkpoint optimizer scheduler loss and logger all come from the config file"
).split()


def main() -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    data = ARTIFACTS / "alpaca_tiny.json"
    if not data.exists():
        data.write_text(json.dumps(examples(32), indent=1))
    tokenizer = ARTIFACTS / "tokenizer.model"
    if not tokenizer.exists():
        train_tokenizer(tokenizer)
    weights = ARTIFACTS / "base" / "model.pt"
    if not weights.exists():
        save_random_weights(weights)
    print(f"tiny artifacts ready in {ARTIFACTS}")


def examples(count: int) -> list[dict[str, str]]:
    rng = random.Random(0)
    rows = []
    for index in range(count):
        words = rng.sample(WORDS, 8)
        rows.append(
            {
                "instruction": f"Repeat these words in order ({index}).",
                "input": " ".join(words),
                "output": " ".join(words),
            }
        )
    return rows


def train_tokenizer(target: Path) -> None:
    import sentencepiece as spm

    rng = random.Random(1)
    corpus = ARTIFACTS / "corpus.txt"
    lines = [" ".join(rng.choices(WORDS, k=12)) for _ in range(2000)]
    corpus.write_text("\n".join(lines) + "\n")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(target.with_suffix("")),
        vocab_size=VOCAB,
        model_type="bpe",
        byte_fallback=True,
        character_coverage=1.0,
        bos_id=1,
        eos_id=2,
        unk_id=0,
        pad_id=-1,
        minloglevel=2,
    )
    corpus.unlink()


def save_random_weights(target: Path) -> None:
    import torch
    from torchtune.models.llama2 import llama2

    torch.manual_seed(0)
    model = llama2(vocab_size=VOCAB, num_layers=2, num_heads=4, num_kv_heads=4, embed_dim=64, max_seq_len=256)
    target.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), target)


if __name__ == "__main__":
    main()
