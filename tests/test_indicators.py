"""Warning indicators: each indicator on positive and negative sample texts, modality weighting,
syndicated copies counted once, event direction, growth over the baseline, Parquet input, and the
example article."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from exitwatch.cli import main
from exitwatch.errors import ConfigError
from exitwatch.indicators import compute_indicators, compute_indicators_parquet, load_definitions
from exitwatch.indicators.matching import MatchCache, cue_fits, event_fits
from exitwatch.indicators.samples import sample_files, samples_path, sentences_only_reader
from exitwatch.app.ingest_pipeline import ingest
from exitwatch.ingest import make_document
from exitwatch.read.facts import cue_lexicon
from exitwatch.records import Actor, CueMatch, Event, Mention, Reading, Sentence, Source
from exitwatch.store import Store

NAMES = load_definitions().names()


def _store(tmp_path, files, name="ind.duckdb"):
    store = Store(tmp_path / name)
    ingest(files, store=store, read=sentences_only_reader)
    return store


def test_definitions_cover_the_required_indicators():
    assert set(NAMES) >= {
        "protest_momentum", "security_defection", "flight_preparation", "revenue_shock", "foreign_military_pressure",
        "ally_loss", "precedent_shock", "repression_escalation", "elite_split",
    }
    cues, _ = cue_lexicon()
    for definition in load_definitions().indicators:
        assert definition.description and definition.factor_source and definition.name in cues
        assert definition.role in ("own", "against", "foreign_ruler") and definition.half_life_days > 0
        assert definition.modality_weights["denied"] == 0.0
        assert definition.modality_weights["asserted"] > definition.modality_weights["hypothetical"]


def test_cue_stems_find_only_the_words_they_mean():
    cues, _ = cue_lexicon()
    for name, text in [("security_defection", "Fighters retreated into the desert."),
                       ("flight_preparation", "The fleet shelled villages in the south.")]:
        assert not cues[name].search(text), (name, text)
    assert cues["security_defection"].search("Two deserters crossed the border.")
    assert cues["flight_preparation"].search("His family bought villas in Dubai before fleeing.")


@pytest.mark.parametrize("name", NAMES)
def test_each_indicator_lights_on_positive_and_not_on_negative_texts(tmp_path, name):
    with _store(tmp_path, sample_files(name, "_1", "_2"), "pos.duckdb") as store:
        positive = compute_indicators(store, "IRN").get(name)
    with _store(tmp_path, sample_files(name, "_neg"), "neg.duckdb") as store:
        negative = compute_indicators(store, "IRN").get(name)
    assert positive.lit, positive
    assert positive.value >= positive.threshold and positive.documents == 2 and positive.outlets == 2
    assert positive.evidence[0].weight > 0 and positive.evidence[0].outlet
    assert not negative.lit
    assert negative.evidence, "the negative text should still be found, only weighted down"
    assert {e.modality for e in negative.evidence} <= {"denied", "hypothetical", "conditional", "opinion"}


def test_denied_and_hypothetical_statements_do_not_light_as_facts_do(tmp_path):
    def doc(text, outlet):
        return make_document(text, outlet=outlet, published="2026-02-03", title=outlet)

    facts = [doc("Iranian army units defected in Tabriz on Monday.", "A"),
             doc("Iranian border guards defected to the rebels on Tuesday.", "B")]
    denied = [doc(f"The Iranian army denied that any unit had defected in city {n}.", f"D{n}") for n in range(4)]
    maybe = [doc(f"Iranian army units might defect in city {n} next year.", f"H{n}") for n in range(4)]
    results = {}
    for label, docs in (("facts", facts), ("denied", denied), ("hypothetical", maybe)):
        with Store(tmp_path / f"{label}.duckdb") as store:
            for d in docs:
                store.add_document(d, reading=sentences_only_reader(d))
            results[label] = compute_indicators(store, "IRN").get("security_defection")
    assert results["facts"].lit
    assert results["denied"].score == 0.0 and not results["denied"].lit
    assert {e.modality for e in results["denied"].evidence} == {"denied"}
    assert 0 < results["hypothetical"].score < results["facts"].score and not results["hypothetical"].lit
    assert {e.modality for e in results["hypothetical"].evidence} == {"hypothetical"}


def test_syndicated_copy_in_another_outlet_counts_once(tmp_path):
    name = "flight_preparation"
    with _store(tmp_path, sample_files(name, "_1"), "one.duckdb") as store:
        alone = compute_indicators(store, "IRN").get(name)
    with _store(tmp_path, sample_files(name, "_1", "_1_syndicated"), "two.duckdb") as store:
        assert len(store.duplicate_links()) == 1
        syndicated = compute_indicators(store, "IRN").get(name)
    with _store(tmp_path, sample_files(name, "_1", "_2"), "indep.duckdb") as store:
        independent = compute_indicators(store, "IRN").get(name)
    assert syndicated.score == alone.score and syndicated.documents == 1 and not syndicated.lit
    assert "Levant Sample Courier" in syndicated.evidence[0].copies
    assert independent.score > alone.score and independent.lit


def test_a_second_story_from_the_same_outlet_counts_half(tmp_path):
    texts = ["Iranian army units defected in Tabriz on Monday.", "Iranian border guards defected to the rebels on Tuesday."]
    results = {}
    for label, outlets in (("same", ("A", "A")), ("independent", ("A", "B"))):
        with Store(tmp_path / f"{label}.duckdb") as store:
            for text, outlet in zip(texts, outlets):
                d = make_document(text, outlet=outlet, published="2026-02-03")
                store.add_document(d, reading=sentences_only_reader(d))
            results[label] = compute_indicators(store, "IRN").get("security_defection")
    weight = results["same"].evidence[0].weight
    assert results["same"].score == pytest.approx(weight * (1 + load_definitions().same_outlet))
    assert results["independent"].score == pytest.approx(2 * weight)
    assert results["independent"].lit and not results["same"].lit and results["same"].outlets == 1


def _event_reading(text: str, event: Event) -> Reading:
    doc = make_document(text, outlet="Event Test", published="2026-02-03")
    sentence = Sentence(doc_id=doc.id, index=0, start=0, end=len(doc.body), text=doc.body)
    return Reading(document=doc, sentences=(sentence,), events=(Event(**{**event.__dict__, "doc_id": doc.id}),))


def test_coded_events_feed_by_type_sector_and_direction(tmp_path):
    outlet = Source(text="Event Test", kind="outlet")
    usa, irn, isr = Actor("US jets", "USA", "MIL"), Actor("Iran", "IRN", "GOV"), Actor("Israel", "ISR", "GOV")
    moscow = Actor("Moscow", "RUS", "GOV")
    cases = [
        ("foreign_military_pressure", True, "US jets pounded Iran overnight.", Event("", 0, "ASSAULT", usa, irn, mode="aerial")),
        ("foreign_military_pressure", False, "Iran pounded Israel overnight.", Event("", 0, "ASSAULT", irn, isr, mode="aerial")),
        ("flight_preparation", True, "Iran's leader fled to Moscow.", Event("", 0, "RETREAT", irn, moscow, mode="withdraw")),
        ("flight_preparation", True, "Iran's leader fled from Tehran.",
         Event("", 0, "RETREAT", irn, Actor("Tehran", "IRN"), mode="withdraw")),
        # leaving another country is an act abroad, not flight nor defection
        ("flight_preparation", False, "Iran's leader ordered a withdrawal from Syria.",
         Event("", 0, "RETREAT", irn, Actor("Syria", "SYR", "GOV"), mode="withdraw")),
        ("security_defection", False, "Iranian troops pulled out of the Syria base.",
         Event("", 0, "RETREAT", Actor("Iranian troops", "IRN", "MIL"), Actor("Syria", "SYR"), mode="withdraw")),
        ("security_defection", True, "Iranian troops pulled out of Tehran's squares.",
         Event("", 0, "RETREAT", Actor("Iranian troops", "IRN", "MIL"), None, mode="withdraw")),
        ("security_defection", True, "Iranian soldiers rebuffed the commanders.",
         Event("", 0, "REJECT", Actor("Iranian soldiers", "IRN", "MIL"), None, attribution=(outlet,))),
        ("security_defection", False, "Iranian ministers rebuffed the commanders.",
         Event("", 0, "REJECT", Actor("Iranian ministers", "IRN", "GOV"), None, attribution=(outlet,))),
    ]
    for name, text, event in [("flight_preparation", "Iran's leader fled to Moscow.",  # a destination is never the subject
                               Event("", 0, "RETREAT", irn, moscow, mode="withdraw"))]:
        with Store(tmp_path / "dest.duckdb") as store:
            reading = _event_reading(text, event)
            store.add_document(reading.document, reading=reading)
            assert not compute_indicators(store, "RUS").get(name).evidence
    for n, (name, feeds, text, event) in enumerate(cases):
        with Store(tmp_path / f"e{n}.duckdb") as store:
            reading = _event_reading(text, event)
            store.add_document(reading.document, reading=reading)
            result = compute_indicators(store, "IRN").get(name)
        matched = [e.matched for e in result.evidence]
        assert (f"event:{event.event_type}" + (f"/{event.mode}" if event.mode else "") in matched) is feeds, (name, text)


def test_a_ruler_pulling_out_of_a_third_country_has_not_fallen():
    definition = load_definitions().get("precedent_shock")
    spec = next(s for s in definition.events if s.event_type == "RETREAT")
    ruler = Actor("The American president", "USA", "GOV")
    for text, place, fell in [("The American president fled from Washington as Iran watched.", "Washington", True),
                              ("The American president ordered a withdrawal from Syria, Iran said.", "Syria", False)]:
        sentence = Sentence(doc_id="d", index=0, start=0, end=len(text), text=text)
        at = text.index("Iran")
        iran = [Mention("d", 0, "IRN", "Iran", kind="place", span=(at, at + 4))]
        target = Actor(place, "USA" if place == "Washington" else "SYR", "GOV")
        event = Event("d", 0, "RETREAT", ruler, target, mode="withdraw")
        assert event_fits(event, spec, definition, "IRN", iran, sentence) is fell, text


def test_whoever_flees_is_named_before_the_verb():
    definition = load_definitions().get("flight_preparation")
    for text, cue_word, fits in [
            ("Thousands of people continued to flee the Ruritanian government's offensive.", "flee", False),
            ("Fleeing the Ruritanian government's offensive, thousands crossed the border.", "Fleeing", False),
            ("The Ruritanian government has drawn up a contingency plan.", "contingency plan", True),
            ("A contingency plan was drawn up by the Ruritanian government.", "contingency plan", True)]:
        sentence = Sentence(doc_id="d", index=0, start=0, end=len(text), text=text)
        at, agent = text.index(cue_word), text.lower().index("the ruritanian government")
        cue = CueMatch("d", 0, "flight_preparation", cue_word, span=(at, at + len(cue_word)))
        government = Mention("d", 0, "RUR", "the Ruritanian government", kind="agent", sector="GOV",
                             span=(agent, agent + 25))
        assert cue_fits(cue, definition, "RUR", [government], sentence) is fits, text


def test_protest_momentum_is_growth_over_the_baseline(tmp_path):
    with _store(tmp_path, sample_files("protest_momentum", "_0", "_1", "_2")) as store:
        growing = compute_indicators(store, "IRN").get("protest_momentum")
    assert growing.baseline > 0 and growing.value == pytest.approx(growing.score - growing.baseline)
    assert growing.lit and list(growing.series.values())[-1] == growing.score
    with Store(tmp_path / "steady.duckdb") as store:  # the same two reports every week: volume, no growth
        for week in range(9):
            day = dt.date(2026, 1, 19) - dt.timedelta(weeks=week)
            for outlet in ("A", "B"):
                d = make_document(f"Protesters marched in Tehran again, week {week}, {outlet} reports.", outlet=outlet, published=day.isoformat())
                store.add_document(d, reading=sentences_only_reader(d))
        steady = compute_indicators(store, "IRN").get("protest_momentum")
    assert steady.score >= steady.threshold and steady.baseline == pytest.approx(steady.score)
    assert not steady.lit


def test_a_match_cache_matches_only_new_readings_and_changes_nothing(tmp_path, monkeypatch):
    """What a server does after each write: indicators recomputed with its MatchCache load and
    match only the readings they have not seen (a new document, a re-read one), and agree with a
    computation from scratch."""
    with _store(tmp_path, sample_files("protest_momentum", "_0", "_1")) as store:
        cache = MatchCache()
        first = compute_indicators(store, "IRN", matches=cache)
        assert first == compute_indicators(store, "IRN") and len(cache) == first.documents > 0
        loaded = []
        real = store.readings_of
        monkeypatch.setattr(store, "readings_of", lambda ids: loaded.append(sorted(ids)) or real(ids))
        assert compute_indicators(store, "IRN", matches=cache) == first and loaded == [[]]

        new = ingest(sample_files("protest_momentum", "_2"), store=store, read=sentences_only_reader)
        assert new.added == 1
        loaded.clear()
        grown = compute_indicators(store, "IRN", matches=cache)
        assert grown == compute_indicators(store, "IRN") and grown.get("protest_momentum").lit
        assert len(loaded[0]) == 1 and grown.documents == first.documents + 1

        doc_id = loaded[0][0]
        store.add_readings([sentences_only_reader(store.document(doc_id))])  # read again: a new read_at
        loaded.clear()
        assert compute_indicators(store, "IRN", matches=cache) == grown and loaded[0] == [doc_id]


def test_periods_end_date_and_bad_options(tmp_path):
    with _store(tmp_path, sample_files("ally_loss", "_1", "_2")) as store:
        month = compute_indicators(store, "Iran", period="month")  # trailing windows ending on the last news day
        assert month.end == dt.date(2026, 1, 14) and month.period_start == dt.date(2025, 12, 16)
        assert month.get("ally_loss").lit
        day = compute_indicators(store, "IRN", period="day", end="2026-01-22")
        assert day.period_start == dt.date(2026, 1, 22) and not day.get("ally_loss").lit
        later = compute_indicators(store, "IRN", end=dt.date(2026, 3, 1)).get("ally_loss")
        assert later.score == 0 and later.baseline > 0 and not later.lit and not later.evidence
        with pytest.raises(ConfigError, match="day, week, month"):
            compute_indicators(store, "IRN", period="year")


def test_bad_definitions_file_names_the_valid_choices(tmp_path):
    bad = tmp_path / "defs.toml"
    indicator = ('[[indicator]]\nname = "x"\ntitle = "X"\ndescription = "d"\nthreshold = 1\nfactor = 1\n'
                 'factor_source = "s"\nhalf_life_days = 30\nevents = [{ type = "ASSAULT" }]\n')
    bad.write_text(indicator + 'role = "sideways"\n')
    with pytest.raises(ConfigError, match="own, against, foreign_ruler"):
        load_definitions(str(bad))
    bad.write_text(indicator + 'role = "own"\ncues = ["x"]\n')
    with pytest.raises(ConfigError, match="indicator_cues.toml"):
        load_definitions(str(bad))


def test_parquet_input_gives_the_same_indicators(tmp_path):
    with _store(tmp_path, sample_files("revenue_shock", "_1", "_2", "_neg")) as store:
        direct = compute_indicators(store, "IRN")
        store.export_parquet(tmp_path / "parquet")
    from_parquet = compute_indicators_parquet(tmp_path / "parquet", "IRN")
    assert [(i.name, i.lit, i.score) for i in from_parquet.indicators] == [(i.name, i.lit, i.score) for i in direct.indicators]
    assert from_parquet.get("revenue_shock").lit


def test_indicators_command_text_and_json(tmp_path):
    db = tmp_path / "ind.duckdb"
    with Store(db) as store:
        ingest(sample_files("precedent_shock", "_1", "_2"), store=store, read=sentences_only_reader)
    runner = CliRunner()
    result = runner.invoke(main, ["indicators", "IRN", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    precedent = next(i for i in data["indicators"] if i["name"] == "precedent_shock")
    assert precedent["lit"] is True and precedent["value"] >= precedent["threshold"]
    assert precedent["evidence"][0]["text"] and precedent["evidence"][0]["outlet"]
    text = runner.invoke(main, ["indicators", "Iran", "--db", str(db), "--period", "month"])
    assert text.exit_code == 0 and "LIT Precedent shock" in text.output
    unknown = runner.invoke(main, ["indicators", "Atlantis", "--db", str(db)])
    assert unknown.exit_code == 2 and "unknown country" in unknown.output


def _samples_report(store, read=sentences_only_reader):
    ingest([samples_path()], store=store, **({"read": read} if read else {}))
    return compute_indicators(store, "IRN", end="2026-01-22")


def _check_samples(report):
    for name in ("flight_preparation", "foreign_military_pressure", "precedent_shock", "protest_momentum"):
        assert report.get(name).lit, name
    flight = " ".join(e.text for e in report.get("flight_preparation").evidence)
    assert "private jet" in flight or "exit plan" in flight or "residency visas" in flight
    precedent = " ".join(e.text for e in report.get("precedent_shock").evidence)
    assert "Maduro" in precedent
    foreign = report.get("foreign_military_pressure").evidence
    assert all("Iran" in e.text for e in foreign if e.weight > 0)


def test_samples_light_the_expected_indicators(tmp_path):
    with Store(tmp_path / "samples.duckdb") as store:
        _check_samples(_samples_report(store))


@pytest.mark.slow
def test_samples_with_the_full_reader(tmp_path):
    """Slow twin of the test above: the real reader codes events and claims."""
    with Store(tmp_path / "full.duckdb") as store:
        _check_samples(_samples_report(store, read=None))
