"""Training and evaluation data of the sentence event classifier (no torch needed).

Two labelled sources, read from the shared data folder (never copied into the project):

- ConfliBERT five-class sentences (``conflibert/cameo_pentaclass_train.tsv``, lines
  ``sentence<TAB>class``; 0 neutral, 1 verbal cooperation, 2 material cooperation, 3 verbal
  conflict, 4 material conflict). A stratified 20% (fixed seed) is our held-out test split.
- NGEC synthetic stories (``ngec/synthetic_events_2023-10-19.csv.gz``; Halterman 2023), each with
  a PLOVER event type. Sentence-level examples are the headline and the first sentence of the
  story. The held-out part is a stratified 20% of the headline *templates*, so no test story shares
  a template with a training story.

The training recipe (``recipes/event_classifier/train.py``) and ``exitwatch eval classifier`` use
the same functions, so the split is the same in both.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from exitwatch.errors import DataFileError
from exitwatch.read.sentences import split_sentences

#: Class names of the five-class (CAMEO quad class + neutral) scheme, index = class number.
QUAD_CLASSES = ("neutral", "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")
#: The event head's label for "this sentence reports no event".
NO_EVENT = "NONE"
PENTACLASS_FILE = Path("conflibert") / "cameo_pentaclass_train.tsv"
PLV_FILE = Path("plover") / "plv_train.csv"
NER_FILE = Path("conflibert") / "cameo_ner_train.txt"
#: PLV's older root type covering today's CONCEDE and RETREAT (the event head keeps it as one class).
YIELD = "YIELD"
YIELD_TYPES = ("CONCEDE", "RETREAT")
SYNTHETIC_FILE = Path("ngec") / "synthetic_events_2023-10-19.csv.gz"
#: Real news articles without labels (the Guardian 2019 sample; also the throughput benchmark's input).
NEWS_FILE = Path("news") / "guardian_2019_sample.csv"
DEFAULT_SEED = 13
TEST_FRACTION = 0.2


@dataclass(frozen=True)
class LabelledSentence:
    """One training or test sentence.

    Fields: ``text``; ``label`` (a PLOVER event type, ``NO_EVENT``, or a quad class name);
    ``group`` (what must not straddle train and test, e.g. the synthetic headline template).
    """

    text: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class SyntheticStory:
    """One NGEC synthetic story reduced to sentence-level examples.

    Fields: ``headline`` (the prompt's first line, country filled in), ``first_sentence`` (of the
    story text), ``event_type`` (PLOVER), ``mode`` (PLOVER mode or ""), ``template`` (the headline
    template with ``{country_1}`` placeholders; stories of one template are split together).
    """

    headline: str
    first_sentence: str
    event_type: str
    mode: str
    template: str


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (recorded in the model metadata to identify training data)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_pentaclass(path: Path) -> list[LabelledSentence]:
    """Read ``sentence<TAB>class`` lines (class 0-4); labels become ``QUAD_CLASSES`` names."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(str(path), "five-class sentence file not found (ConfliBERT data/cameo_class, "
                                       "lines 'sentence<TAB>class')")
    rows: list[LabelledSentence] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            text, _, label = line.rstrip("\n").rpartition("\t")
            if not text or label.strip() not in {"0", "1", "2", "3", "4"}:
                raise DataFileError(f"{path}:{number}", "expected 'sentence<TAB>class' with class 0-4")
            rows.append(LabelledSentence(text=text.strip(), label=QUAD_CLASSES[int(label)]))
    if not rows:
        raise DataFileError(str(path), "no sentences in the file")
    return rows


def split_pentaclass(rows: list[LabelledSentence], *, seed: int = DEFAULT_SEED,
                     test_fraction: float = TEST_FRACTION) -> tuple[list[LabelledSentence], list[LabelledSentence]]:
    """(train, test): a stratified ``test_fraction`` split with a fixed seed."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(rows, test_size=test_fraction, random_state=seed,
                                   stratify=[r.label for r in rows])
    return list(train), list(test)


def load_synthetic(path: Path) -> list[SyntheticStory]:
    """Read the NGEC synthetic stories (CSV, optionally gzipped; columns text, title, prompt,
    label, mode)."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(str(path), "synthetic story file not found (ahalterman/NGEC-2025, "
                                       "synthetic_events_2023-10-19.csv.gz)")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"text", "title", "prompt", "label"} - set(reader.fieldnames or ())
        if missing:
            raise DataFileError(str(path), f"missing columns {sorted(missing)}; need text, title, prompt, label")
        records = list(reader)
    stories = []
    for record in records:
        sentences = split_sentences(record["text"][:600])
        stories.append(SyntheticStory(
            headline=record["prompt"].split("\n", 1)[0].strip(),
            first_sentence=sentences[0].text if sentences else "",
            event_type=record["label"].strip().upper(),
            mode=(record.get("mode") or "").strip().upper(),
            template=record["title"].strip(),
        ))
    return stories


def split_synthetic(stories: list[SyntheticStory], *, seed: int = DEFAULT_SEED
                    ) -> tuple[list[SyntheticStory], list[SyntheticStory]]:
    """(train, test): one fold of a stratified group 5-fold split, grouped by headline template."""
    from sklearn.model_selection import StratifiedGroupKFold

    folds = StratifiedGroupKFold(n_splits=round(1 / TEST_FRACTION), shuffle=True, random_state=seed)
    train_idx, test_idx = next(folds.split(stories, [s.event_type for s in stories], [s.template for s in stories]))
    return [stories[i] for i in train_idx], [stories[i] for i in test_idx]


def story_sentences(stories: list[SyntheticStory], *, headlines: bool = True) -> list[LabelledSentence]:
    """Sentence-level examples of ``stories``: the first sentence (and the headline when asked)."""
    rows = []
    for story in stories:
        texts = ([story.headline] if headlines else []) + [story.first_sentence]
        rows.extend(LabelledSentence(text=t, label=story.event_type, group=story.template) for t in texts if t)
    return rows


def load_labelled_tsv(path: Path) -> list[LabelledSentence]:
    """Read our own examples: ``label<TAB>sentence`` lines, ``#`` comments (label: PLOVER type or
    ``NONE``)."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            label, _, text = line.rstrip("\n").partition("\t")
            if not text.strip():
                raise DataFileError(f"{path}:{number}", "expected 'label<TAB>sentence'")
            rows.append(LabelledSentence(text=text.strip(), label=label.strip().upper()))
    return rows


@dataclass(frozen=True)
class ActorSentence:
    """A PLV record: ``text``, ``label`` (PLOVER root type; YIELD for CONCEDE/RETREAT), ``source``
    and ``target`` (actor text as written; "" when none)."""

    text: str
    label: str
    source: str = ""
    target: str = ""


@dataclass(frozen=True)
class TaggedSentence:
    """A CoNLL sentence: ``tokens`` and their BIO ``tags`` (S source, T target, R recipient)."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def load_plv(path: Path) -> list[ActorSentence]:
    """Read a PLV-format CSV (columns ``text``, ``label``; optional ``source``, ``target``)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"text", "label"} - set(reader.fieldnames or ())
            if missing:
                raise DataFileError(str(path), f"missing columns {sorted(missing)}; a PLV gold CSV needs "
                                               "text,label (and optionally source,target)")
            records = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DataFileError(str(path), f"cannot read the CSV: {e}") from e
    return [ActorSentence(text=r["text"].strip(), label=(r["label"] or "").strip().upper(),
                          source=(r.get("source") or "").strip(), target=(r.get("target") or "").strip())
            for r in records if (r.get("text") or "").strip()]


def load_conll(path: Path) -> list[TaggedSentence]:
    """Read ``token label`` lines (whitespace-separated), a blank line between sentences."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(str(path), f"cannot read the CoNLL file: {e}") from e
    sentences, tokens, tags = [], [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if tokens:
                sentences.append(TaggedSentence(tuple(tokens), tuple(tags)))
                tokens, tags = [], []
            continue
        parts = line.split()
        if len(parts) != 2 or not (parts[1] == "O" or parts[1][:2] in ("B-", "I-")):
            raise DataFileError(f"{path}:{number}", "expected 'token label' with a BIO label (O, B-S, I-T, ...)")
        tokens.append(parts[0])
        tags.append(parts[1])
    if tokens:
        sentences.append(TaggedSentence(tuple(tokens), tuple(tags)))
    return sentences


def norm_text(text: str) -> str:
    """Letters and digits only, lower-cased: the same sentence in the five-class and CoNLL files."""
    return "".join(c for c in text.lower() if c.isalnum())


@dataclass(frozen=True)
class SentenceFolds:
    """Training and held-out folds of the three labelled files, split by sentence across them:
    a sentence that occurs in two files (most CoNLL sentences are five-class sentences; about half
    the PLV sentences are too) is on the same side in both."""

    plv_train: list[ActorSentence]
    plv_test: list[ActorSentence]
    quad_train: list[LabelledSentence]
    quad_test: list[LabelledSentence]
    conll_train: list[TaggedSentence]
    conll_test: list[TaggedSentence]


def _stratified(rows: list, labels: list[str], fraction: float, seed: int) -> tuple[list, list]:
    """A stratified ``fraction`` held out; a sentence repeated in the file goes wholly to the test
    side when any of its copies does."""
    from sklearn.model_selection import train_test_split

    if not rows or fraction <= 0:
        return list(rows), []
    if fraction >= 1:
        return [], list(rows)
    counts = {label: labels.count(label) for label in labels}
    stratify = labels if min(counts.values()) >= 2 else None
    train, test = train_test_split(rows, test_size=fraction, random_state=seed, stratify=stratify)
    held = {norm_text(r.text) for r in test}
    return [r for r in train if norm_text(r.text) not in held], list(test) + [r for r in train if norm_text(r.text) in held]


def split_by_sentence(plv: list[ActorSentence], pentaclass: list[LabelledSentence], conll: list[TaggedSentence],
                      *, seed: int = DEFAULT_SEED, test_fraction: float = TEST_FRACTION) -> SentenceFolds:
    """Held-out folds with no sentence on both sides, in any pair of files: a stratified
    ``test_fraction`` of the PLV records (by label); five-class sentences follow the PLV side of the
    same sentence, and the others are split (stratified by class) so that about ``test_fraction`` of
    the five-class file is held out; CoNLL sentences follow whichever file holds them, the rest are
    held out at random (seeded) at ``test_fraction``."""
    plv_train, plv_test = _stratified(plv, [r.label for r in plv], test_fraction, seed)
    held = {norm_text(r.text) for r in plv_test}
    kept = {norm_text(r.text) for r in plv_train} - held
    forced_test = [r for r in pentaclass if norm_text(r.text) in held]
    forced_train = [r for r in pentaclass if norm_text(r.text) in kept]
    free = [r for r in pentaclass if norm_text(r.text) not in held | kept]
    wanted = round(test_fraction * len(pentaclass)) - len(forced_test)
    free_train, free_test = _stratified(free, [r.label for r in free], wanted / len(free) if free else 0.0, seed)
    quad_train, quad_test = forced_train + free_train, forced_test + free_test
    held |= {norm_text(r.text) for r in quad_test}
    kept |= {norm_text(r.text) for r in quad_train}
    rng = random.Random(seed)
    conll_train, conll_test = [], []
    for row in conll:
        key = norm_text(row.text)
        chance = rng.random()
        (conll_test if key in held or (key not in kept and chance < test_fraction) else conll_train).append(row)
    return SentenceFolds(plv_train, plv_test, quad_train, quad_test, conll_train, conll_test)
