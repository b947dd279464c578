"""The one scorer: properties over every shipped instrument, and a worked example of each
with scores computed by hand from the key."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from juvenile.diagnostics.library import shipped_definitions
from juvenile.diagnostics.scoring import score, validate_definition

LIBRARY = {d["code"]: d for d in shipped_definitions()}
NUMERIC = [c for c, d in LIBRARY.items() if d["answers"]["type"] == "scale"]
YES_NO = [c for c, d in LIBRARY.items() if d["answers"]["type"] == "yes_no"]


def allowed(definition: dict) -> list[str]:
    spec = definition["answers"]
    if spec["type"] == "yes_no":
        return ["y", "n", "r"] if spec.get("refusal") else ["y", "n"]
    return [str(v) for v in range(spec["min"], spec["max"] + 1)]


@st.composite
def complete_answers(draw, code: str | None = None):
    code = code or draw(st.sampled_from(sorted(LIBRARY)))
    definition = LIBRARY[code]
    values = allowed(definition)
    answers = {i: draw(st.sampled_from(values)) for i in range(1, definition["items"] + 1)}
    return definition, answers


def bounds(definition: dict, scale: dict, done: dict) -> tuple[float, float]:
    """The lowest and highest score a scale can take, from the definition alone."""
    if "sum_of" in scale:
        return (sum(done[c][0] for c in scale["sum_of"]),
                sum(done[c][1] for c in scale["sum_of"]))
    spec = definition["answers"]
    low, high = (0, 1) if spec["type"] == "yes_no" else (spec["min"], spec["max"])
    plus, minus = len(scale.get("items", [])), len(scale.get("minus", []))
    weight, constant = scale.get("weight", 1), scale.get("constant", 0)
    return (weight * (plus * low - minus * high) + constant,
            weight * (plus * high - minus * low) + constant)


# --- properties ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(complete_answers())
def test_every_score_lies_within_the_bounds_of_its_scale(case):
    definition, answers = case
    result = score(definition, answers)
    done: dict[str, tuple[float, float]] = {}
    for scale in definition["scales"]:
        done[scale["code"]] = bounds(definition, scale, done)
        low, high = done[scale["code"]]
        assert low - 1e-9 <= result.scores[scale["code"]] <= high + 1e-9, scale["code"]
    assert result.complete and result.missing == [] and result.invalid == {}


@settings(max_examples=200, deadline=None)
@given(complete_answers("buss_perry"))
def test_reversing_every_reverse_keyed_answer_gives_the_plain_sum(case):
    definition, answers = case
    spec = definition["answers"]
    flipped = dict(answers)
    for scale in definition["scales"]:
        for item in scale.get("reverse", []):
            flipped[item] = str(spec["min"] + spec["max"] - int(answers[item]))
    before, after = score(definition, answers), score(definition, flipped)
    for scale in definition["scales"]:
        if scale.get("reverse"):
            plain = sum(int(answers[i]) for i in scale["items"])
            assert after.scores[scale["code"]] == plain
            moved = sum(2 * int(answers[i]) - spec["min"] - spec["max"]
                        for i in scale["reverse"])
            assert after.scores[scale["code"]] - before.scores[scale["code"]] == moved


@settings(max_examples=200, deadline=None)
@given(complete_answers("phillips"))
def test_mismatch_counts_equal_the_answers_that_differ_from_the_key(case):
    definition, answers = case
    result = score(definition, answers)
    differ = {i for i, a in answers.items() if a != definition["key"][str(i)]}
    for scale in definition["scales"]:
        expected = len(differ & set(scale["items"]))
        assert result.scores[scale["code"]] == expected
        assert result.percentages[scale["code"]] == round(100 * expected / len(scale["items"]),
                                                          1)


@settings(max_examples=200, deadline=None)
@given(complete_answers("bass_darky"))
def test_keyed_counts_equal_the_answers_that_agree_with_the_key(case):
    definition, answers = case
    result = score(definition, answers)
    agree = {i for i, a in answers.items() if a == definition["key"][str(i)]}
    for scale in definition["scales"]:
        if "items" in scale:
            assert result.scores[scale["code"]] == len(agree & set(scale["items"]))
    assert result.scores["aggression_index"] == sum(
        result.scores[c] for c in ("physical", "irritation", "verbal"))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_missing_answers_are_reported_and_break_completeness(data):
    code = data.draw(st.sampled_from([c for c in LIBRARY if c != "asq"]))
    definition, answers = data.draw(complete_answers(code))
    dropped = data.draw(st.sets(st.integers(1, definition["items"]), max_size=6))
    for item in dropped:
        answers[item] = data.draw(st.sampled_from(["", "  "])) if item % 2 else None
    answers = {k: v for k, v in answers.items() if v is not None}
    result = score(definition, answers)
    assert result.missing == sorted(dropped)
    assert result.complete is (not dropped)
    assert (result.level is None) if dropped else True


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_out_of_range_answers_are_flagged_and_never_scored(data):
    definition, answers = data.draw(complete_answers())
    wrong = data.draw(st.sets(st.integers(1, definition["items"]), min_size=1, max_size=5))
    junk = st.sampled_from(["4", "9", "-1", "6", "x", "yes", "0.5", "12", "r"]).filter(
        lambda v: v not in allowed(definition))
    spoiled = dict(answers)
    for item in wrong:
        spoiled[item] = data.draw(junk)
    without = {i: a for i, a in answers.items() if i not in wrong}
    result = score(definition, spoiled)
    assert result.invalid == dict.fromkeys(sorted(wrong), "range")
    assert result.scores == score(definition, without).scores
    assert not result.complete and result.level is None
    assert result.missing == []


def test_answers_are_read_from_text_keys_and_tolerate_case_and_spaces():
    definition = LIBRARY["phillips"]
    typed = {str(i): " Y " for i in range(1, 59)}
    assert score(definition, typed).scores == score(
        definition, dict.fromkeys(range(1, 59), "y")).scores


# --- worked examples, computed by hand --------------------------------------------------


def test_gad7():
    result = score(LIBRARY["gad7"], dict(enumerate(["3", "2", "1", "0", "2", "1", "1"], 1)))
    assert result.scores == {"total": 10}
    assert result.level == "moderate" and result.complete
    assert score(LIBRARY["gad7"], dict.fromkeys(range(1, 8), "1")).level == "low"  # 7: mild
    assert score(LIBRARY["gad7"], dict.fromkeys(range(1, 8), "3")).level == "high"  # 21


def test_scared():
    answers = dict.fromkeys(range(1, 42), "0")
    answers |= {1: "2", 6: "2", 9: "2", 5: "2", 7: "2", 14: "1", 4: "2",
                3: "2", 10: "2", 26: "2", 32: "1", 2: "2", 11: "1"}
    result = score(LIBRARY["scared"], answers)
    assert result.scores == {"panic": 6, "generalised": 5, "separation": 2, "social": 7,
                             "school": 3, "total": 23}
    assert result.level == "low"
    answers |= {12: "2", 15: "2", 18: "2", 19: "2"}  # panic 14, total 31
    result = score(LIBRARY["scared"], answers)
    assert result.scores["panic"] == 14 and result.scores["total"] == 31
    assert result.level == "high"


def test_spielberger_khanin():
    direct_state = [3, 4, 6, 7, 9, 12, 13, 14, 17, 18]
    direct_trait = [22, 23, 24, 25, 28, 29, 31, 32, 34, 35, 37, 38, 40]
    answers = {}
    for item in range(1, 21):
        answers[item] = "3" if item in direct_state else "2"   # 30 - 20 + 50 = 60
    for item in range(21, 41):
        answers[item] = "2" if item in direct_trait else "3"   # 26 - 21 + 35 = 40
    result = score(LIBRARY["stai_khanin"], answers)
    assert result.scores == {"state": 60, "trait": 40}
    assert result.level == "high"  # the higher of high (state) and moderate (trait)
    lowest = {i: "1" if i in direct_state + direct_trait else "4" for i in range(1, 41)}
    result = score(LIBRARY["stai_khanin"], lowest)
    assert result.scores == {"state": 20, "trait": 20} and result.level == "low"


def test_phillips():
    definition = LIBRARY["phillips"]
    answers = {int(i): a for i, a in definition["key"].items()}
    for item in (2, 5, 11, 58):
        answers[item] = "y" if answers[item] == "n" else "n"
    result = score(definition, answers)
    assert result.scores == {"f1": 2, "f2": 1, "f3": 1, "f4": 0, "f5": 1, "f6": 0, "f7": 0,
                             "f8": 2, "total": 4}
    assert result.percentages["f1"] == 9.1 and result.percentages["f8"] == 25.0
    assert result.percentages["total"] == 6.9
    assert result.level == "low"
    every_yes = score(definition, dict.fromkeys(range(1, 59), "y"))
    assert every_yes.scores["total"] == 45 and every_yes.scores["f1"] == 22
    assert every_yes.scores["f2"] == 5 and every_yes.percentages["total"] == 77.6
    assert every_yes.level == "high"


def test_bass_darky():
    definition = LIBRARY["bass_darky"]
    result = score(definition, dict.fromkeys(range(1, 76), "y"))
    assert result.scores == {"physical": 7, "indirect": 6, "irritation": 8, "negativism": 5,
                             "resentment": 7, "suspicion": 8, "verbal": 10, "guilt": 9,
                             "aggression_index": 25, "hostility_index": 15}
    assert result.level == "low"
    as_keyed = score(definition, {int(i): a for i, a in definition["key"].items()})
    assert as_keyed.scores["aggression_index"] == 10 + 11 + 13
    assert as_keyed.level == "high"
    every_no = score(definition, dict.fromkeys(range(1, 76), "n"))
    assert every_no.scores["aggression_index"] == 3 + 3 + 3 and every_no.level == "low"


def test_buss_perry():
    result = score(LIBRARY["buss_perry"], dict.fromkeys(range(1, 30), "3"))
    assert result.scores == {"physical": 27, "verbal": 15, "anger": 21, "hostility": 24,
                             "total": 87}
    assert result.level is None and result.complete  # no cut-offs: the psychologist decides
    result = score(LIBRARY["buss_perry"], dict.fromkeys(range(1, 30), "5"))
    assert result.scores == {"physical": 41, "verbal": 25, "anger": 31, "hostility": 40,
                             "total": 137}


def test_asq():
    asq = LIBRARY["asq"]
    negative = score(asq, dict.fromkeys(range(1, 5), "n"))
    assert (negative.screen, negative.level, negative.complete) == ("negative", "low", True)
    assert negative.missing == []  # item 5 is not asked after four noes
    positive = score(asq, {1: "n", 2: "n", 3: "y", 4: "n", 5: "n"})
    assert (positive.screen, positive.level, positive.scores) == (
        "positive", "moderate", {"yes_answers": 1})
    refused = score(asq, {1: "n", 2: "r", 3: "n", 4: "n"})
    assert refused.screen == "positive"  # a refusal counts as positive
    assert refused.missing == [5] and not refused.complete and refused.level is None
    acute = score(asq, {1: "y", 2: "n", 3: "n", 4: "n", 5: "y"})
    assert (acute.screen, acute.level) == ("acute", "high")
    assert score(LIBRARY["phillips"], {1: "r"}).invalid == {1: "range"}  # no refusal there


def test_phq_a():
    phq = LIBRARY["phq_a"]
    result = score(phq, dict(enumerate(["1"] * 8 + ["0"], 1)))
    assert result.scores == {"total": 8, "item9": 0}
    assert (result.screen, result.level) == ("negative", "low")
    result = score(phq, dict(enumerate(["2", "2", "1", "1", "1", "1", "1", "0", "1"], 1)))
    assert result.scores == {"total": 10, "item9": 1}
    assert (result.screen, result.level) == ("positive", "moderate")


def test_osr():
    answers = dict.fromkeys(range(1, 30), "n") | {1: "y", 12: "y", 19: "y"}
    result = score(LIBRARY["osr"], answers)
    assert result.scores == {"demonstrativeness": 1.2, "affectivity": 1.1, "uniqueness": 2.4,
                             "insolvency": 0, "social_pessimism": 0, "cultural_barriers": 0,
                             "maximalism": 0, "time_perspective": 1.1, "anti_suicidal": 3.2}
    assert result.level is None and result.complete


# --- the definitions -------------------------------------------------------------------


def test_nine_instruments_ship_and_every_definition_is_valid():
    assert sorted(LIBRARY) == ["asq", "bass_darky", "buss_perry", "gad7", "osr", "phillips",
                               "phq_a", "scared", "stai_khanin"]
    for definition in LIBRARY.values():
        assert validate_definition(definition) == [], definition["code"]
        assert definition["key_source"] and definition["citation"] and definition["licence"]


def test_item_counts_and_scale_sizes_follow_the_methods():
    def sizes(code):
        return [len(s.get("items", [])) for s in LIBRARY[code]["scales"] if "items" in s]

    assert sizes("phillips")[:8] == [22, 11, 13, 6, 6, 5, 5, 8]
    assert sizes("scared")[:5] == [13, 9, 8, 7, 4]
    assert sizes("buss_perry") == [9, 5, 7, 8]
    bass = LIBRARY["bass_darky"]
    members = [i for s in bass["scales"] for i in s.get("items", [])]
    assert sorted(members) == list(range(1, 76))  # every item in exactly one scale
    assert {int(i) for i, a in bass["key"].items() if a == "n"} == {
        9, 10, 11, 17, 26, 35, 39, 41, 44, 49, 65, 69, 70, 74, 75}


@pytest.mark.parametrize("broken, message", [
    ({"items": 0}, "number of items"),
    ({"construct": "mood"}, "construct"),
    ({"answers": {"type": "scale", "min": 3, "max": 1}}, "min < max"),
    ({"scales": [{"code": "a", "items": [1, 99]}]}, "does not exist"),
    ({"scales": [{"code": "a", "items": [1, 1]}]}, "listed twice"),
    ({"scales": [{"code": "a", "sum_of": ["b"]}]}, "not defined above"),
    ({"scales": [{"code": "a", "items": [1], "weight": "x"}]}, "must be a number"),
    ({"scales": [{"code": "a", "items": [1], "reverse": [2]}]}, "not among"),
    ({"levels": [{"scale": "nope", "bands": []}]}, "does not exist"),
    ({"levels": [{"scale": "total", "bands": [{"from": 0, "level": "severe"}]}]}, "level low"),
    ({"levels": [{"scale": "total", "bands": [{"from": 1, "level": "low"},
                                              {"from": 1, "level": "high"}]}]}, "same score"),
    ({"missing": {"max": -1}}, "missing"),
    ({"key_verified": "yes"}, "key_verified"),
])
def test_validation_names_what_is_wrong(broken, message):
    definition = {**LIBRARY["gad7"], **broken}
    errors = validate_definition(definition)
    assert errors and any(message in e for e in errors), errors


def test_validation_of_yes_no_keys():
    definition = {**LIBRARY["phillips"], "key": {"1": "maybe", "99": "y"}}
    assert len(validate_definition(definition)) == 2
    reversed_yes_no = {**LIBRARY["osr"], "scales": [{"code": "a", "items": [1],
                                                     "reverse": [1]}]}
    assert any("yes/no" in e for e in validate_definition(reversed_yes_no))


def test_weights_constants_and_sten_tables():
    definition = {
        "code": "t", "construct": "anxiety", "items": 4, "key_verified": False,
        "answers": {"type": "scale", "min": 0, "max": 4},
        "scales": [{"code": "a", "items": [1, 2], "weight": 1.5, "constant": 2,
                    "sten": [[5, 3], [8, 6], [20, 9]]},
                   {"code": "b", "items": [3], "minus": [4]},
                   {"code": "ab", "sum_of": ["a", "b"]}],
        "levels": [{"scale": "ab", "bands": [{"from": -100, "level": "low"},
                                             {"from": 10, "level": "high"}]}],
        "missing": {"max": 1},
    }
    assert validate_definition(definition) == []
    result = score(definition, {1: "3", 2: "1", 3: "4", 4: "1"})
    assert result.scores == {"a": 8.0, "b": 3.0, "ab": 11.0}
    assert result.stens == {"a": 6} and result.level == "high"
    one_missing = score(definition, {1: "3", 2: "1", 3: "4"})
    assert one_missing.complete and one_missing.missing == [4]  # one allowed by the rule
    assert one_missing.scores["b"] == 4.0
