"""spaCy component for actor mentions as ``doc.spans["actors"]``.

spaCy forbids dots in factory names, so the factory is ``exitwatch_actors_v1`` (``FACTORY``);
the versioned name ``exitwatch.actors.v1`` is registered in ``spacy.registry.misc`` and returns
the same component (for configs that build components through the registry).

Each span carries ``span._.actor`` (a records.Actor). Use it in any pipeline::

    import spacy, exitwatch.kb.spacy_component  # registers the factory
    nlp = spacy.blank("en"); nlp.add_pipe("exitwatch_actors_v1")
    doc = nlp("Iranian security forces fired on protesters in Tehran.")
    [(s.text, s._.actor.country) for s in doc.spans["actors"]]
"""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from exitwatch.kb.actors import RECOGNISER, ActorContext, default_recogniser

#: spaCy factory name (the versioned name with dots replaced, as spaCy requires).
FACTORY = RECOGNISER.replace(".", "_")

if not Span.has_extension("actor"):
    Span.set_extension("actor", default=None)


class ActorsComponent:
    """Runs the shared ActorRecogniser on the doc's own tokens (an English pipeline's; another
    language's text is tokenized again and the mentions expanded to the doc's token boundaries). Ages ("the 86-year-old
    leader") are counted from the publication date of the reader's document when there is one."""

    def __init__(self, spans_key: str = "actors"):
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        document = doc.user_data.get("exitwatch.document")  # set by the reader: its publication date
        # the text the reader tokenized, when it says so: ``doc.text`` joins every token again
        text = doc.user_data.get("exitwatch.text")
        context = ActorContext(published=getattr(document, "published", None))
        recogniser = default_recogniser()
        # An English pipeline tokenizes as the recogniser does: match on its tokens (no second
        # tokenization); another language's tokens may differ, so its text is tokenized again.
        if doc.lang_ == recogniser.nlp.lang:
            found = recogniser.find_in_doc(doc, context, text=text)
        else:
            found = recogniser.find(doc.text if text is None else text, context)
        for mention in found:
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None:
                span._.actor = mention.actor
                spans.append(span)
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory(FACTORY, default_config={"spans_key": "actors"})
def make_actors_component(nlp: Language, name: str, spans_key: str) -> ActorsComponent:
    """Factory registered as ``exitwatch_actors_v1``."""
    return ActorsComponent(spans_key)


@spacy.registry.misc(RECOGNISER)
def actors_component(spans_key: str = "actors") -> ActorsComponent:
    """The same component under the versioned registry name ``exitwatch.actors.v1``."""
    return ActorsComponent(spans_key)
