"""Building the reader's spaCy pipeline from ``pipeline.cfg`` (once per process, cached)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import spacy
from spacy.language import Language

from exitwatch.errors import ConfigError
from exitwatch.read import actors, components, sentences  # noqa: F401 - registers the factories

#: Trained spaCy pipelines used for NER when installed, best first.
TRAINED_PIPELINES = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm")
VERSION = "exitwatch-read/1"


def installed_trained_pipeline() -> str | None:
    """Name of an installed trained English spaCy pipeline, or None."""
    installed = set(spacy.util.get_installed_models())
    return next((name for name in TRAINED_PIPELINES if name in installed), None)


@lru_cache(maxsize=4)
def build_pipeline(config_path: str | None = None, *, use_trained: bool = True) -> Language:
    """The reader pipeline from ``config_path`` (default: the packaged ``pipeline.cfg``)."""
    path = config_path or str(resources.files("exitwatch.read") / "pipeline.cfg")
    try:
        config = spacy.util.load_config(path)
    except (OSError, ValueError) as e:
        raise ConfigError(f"cannot read reader pipeline config {path}: {e}") from e
    try:
        nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    except (KeyError, ValueError) as e:
        raise ConfigError(f"reader pipeline config {path} is invalid: {e}") from e
    trained = installed_trained_pipeline() if use_trained else None
    if trained and "actors" in nlp.pipe_names:
        nlp.add_pipe("ner", source=spacy.load(trained, exclude=["parser", "lemmatizer", "tagger"]), before="actors")
    nlp.meta["exitwatch_actors"] = config["components"].get("actors", {}).get("factory")
    nlp.meta["exitwatch_trained"] = trained
    return nlp


def pipeline_name(nlp: Language, mode: str) -> str:
    """Name and version of a pipeline as stored with each reading."""
    parts = [VERSION, mode, f"actors={nlp.meta.get('exitwatch_actors')}"]
    if nlp.meta.get("exitwatch_trained"):
        parts.append(f"ner={nlp.meta['exitwatch_trained']}")
    return " ".join(parts)
