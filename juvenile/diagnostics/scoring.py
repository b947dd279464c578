"""One generic scorer for every instrument of the library.

An instrument is data (INSTRUMENTS.md). A definition is a dict of this shape::

    {
      "code": "phillips", "construct": "anxiety", "items": 58,
      "name": {"en": "...", "kk": "...", "ru": "..."},
      "answers": {"type": "yes_no", "refusal": false}        # or
      "answers": {"type": "scale", "min": 0, "max": 3},
      "key": {"1": "n", "2": "n", ...},   # yes/no: the keyed answer per item
      "count": "mismatch",                # yes/no: score answers that differ from the key
                                          # ("match", the default, scores those that agree)
      "scales": [
        {"code": "f1", "label": {...}, "items": [2, 3, 7],
         "reverse": [9],        # scale answers only: scored as min + max - answer
         "minus": [1, 2],       # scale answers only: subtracted
         "weight": 1.2, "constant": 50,
         "sum_of": ["physical", "verbal"],   # a scale made of earlier scales instead
         "percent": true,       # also report score / number of items * 100
         "sten": [[4, 1], [6, 2], ...]},     # raw score up to 4 -> sten 1, ...
      ],
      "levels": [{"scale": "total", "bands": [{"from": 0, "level": "low"}, ...]}],
      "screen": {"positive": [condition, ...], "acute": [condition, ...],
                 "levels": {"negative": "low", "positive": "moderate", "acute": "high"}},
      "missing": {"max": 0, "conditional": [{"items": [5], "when": condition}]},
      "age": {"min": 10, "max": 21},
      "licence": "...", "citation": "...", "key_source": "...", "key_verified": false,
    }

A condition is ``{"items": [1, 2], "answers": ["y", "r"]}`` (any of the items has one of
the answers) or ``{"items": [9], "min": 1}`` / ``{"scale": "total", "min": 10}``.

The level is the highest one any level rule (or the screen) gives, and is computed only
when the answers satisfy the instrument's missing-answer rule. A screen result is
computed from whatever valid answers there are: a positive answer is never hidden by a
missing one.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _

YES, NO, REFUSED = "y", "n", "r"
LEVELS = ("low", "moderate", "high")
SCREENS = ("negative", "positive", "acute")
CONSTRUCTS = ("anxiety", "aggression", "suicide_risk")


@dataclass(frozen=True)
class ScoreResult:
    scores: dict[str, float]
    percentages: dict[str, float] = field(default_factory=dict)
    level: str | None = None
    screen: str | None = None
    missing: list[int] = field(default_factory=list)
    invalid: dict[int, str] = field(default_factory=dict)
    complete: bool = True
    #: Scale code -> sten, where the scale has a sten table.
    stens: dict[str, int] = field(default_factory=dict)


# --- answers ------------------------------------------------------------------------


def _parse(definition: dict, raw: str) -> int | str | None:
    """The answer as the scorer uses it; None when it is not an allowed answer."""
    spec = definition["answers"]
    text = str(raw).strip().lower()
    if text == REFUSED and spec.get("refusal"):
        return REFUSED
    if spec["type"] == "yes_no":
        return text if text in (YES, NO) else None
    if text.lstrip("-").isdigit() and spec["min"] <= int(text) <= spec["max"]:
        return int(text)
    return None


def _read_answers(definition: dict, answers: dict) -> tuple[dict[int, object], dict[int, str]]:
    valid: dict[int, object] = {}
    invalid: dict[int, str] = {}
    for item in range(1, definition["items"] + 1):
        raw = answers.get(item, answers.get(str(item), ""))
        if raw is None or str(raw).strip() == "":
            continue
        value = _parse(definition, raw)
        if value is None:
            invalid[item] = "range"
        else:
            valid[item] = value
    return valid, invalid


# --- scales -------------------------------------------------------------------------


def _item_points(definition: dict, item: int, value, reverse: bool) -> float:
    spec = definition["answers"]
    if value == REFUSED:
        return 0
    if spec["type"] == "yes_no":
        keyed = definition.get("key", {}).get(str(item), YES)
        agrees = value == keyed
        return int(agrees if definition.get("count", "match") == "match" else not agrees)
    return spec["min"] + spec["max"] - value if reverse else value


def _raw_scale(definition: dict, scale: dict, valid: dict, done: dict[str, float]) -> float:
    if "sum_of" in scale:
        return sum(done.get(code, 0) for code in scale["sum_of"])
    reverse = set(scale.get("reverse", []))
    plus = sum(_item_points(definition, i, valid[i], i in reverse)
               for i in scale.get("items", []) if i in valid)
    minus = sum(_item_points(definition, i, valid[i], i in reverse)
                for i in scale.get("minus", []) if i in valid)
    return scale.get("weight", 1) * (plus - minus) + scale.get("constant", 0)


def _sten(table: list, raw: float) -> int | None:
    for upper, sten in table:
        if raw <= upper:
            return int(sten)
    return int(table[-1][1]) if table else None


def _score_scales(definition: dict, valid: dict):
    scores: dict[str, float] = {}
    percentages: dict[str, float] = {}
    stens: dict[str, int] = {}
    for scale in definition.get("scales", []):
        code = scale["code"]
        scores[code] = round(float(_raw_scale(definition, scale, valid, scores)), 2)
        if scale.get("percent") and scale.get("items"):
            percentages[code] = round(100 * scores[code] / len(scale["items"]), 1)
        if scale.get("sten"):
            stens[code] = _sten(scale["sten"], scores[code])
    return scores, percentages, stens


# --- conditions, screen, level, missing ---------------------------------------------


def _holds(condition: dict, valid: dict, scores: dict) -> bool:
    if "scale" in condition:
        score = scores.get(condition["scale"])
        return score is not None and score >= condition.get("min", 0)
    values = [valid.get(item) for item in condition.get("items", [])]
    if "answers" in condition:
        return any(value in condition["answers"] for value in values)
    return any(isinstance(value, int) and value >= condition.get("min", 0) for value in values)


def _screen(definition: dict, valid: dict, scores: dict) -> str | None:
    spec = definition.get("screen")
    if not spec:
        return None
    if any(_holds(c, valid, scores) for c in spec.get("acute", [])):
        return "acute"
    if any(_holds(c, valid, scores) for c in spec.get("positive", [])):
        return "positive"
    return "negative"


def _band(bands: list[dict], score: float) -> str | None:
    chosen = None
    for band in sorted(bands, key=lambda b: b["from"]):
        if score >= band["from"]:
            chosen = band["level"]
    return chosen


def _level(definition: dict, scores: dict, screen: str | None) -> str | None:
    found = [_band(rule["bands"], scores[rule["scale"]])
             for rule in definition.get("levels") or [] if rule["scale"] in scores]
    if screen is not None:
        found.append((definition["screen"].get("levels") or {}).get(screen))
    found = [level for level in found if level in LEVELS]
    return max(found, key=LEVELS.index) if found else None


def _missing(definition: dict, valid: dict, invalid: dict, scores: dict) -> list[int]:
    rule = definition.get("missing") or {}
    not_expected: set[int] = set()
    for conditional in rule.get("conditional", []):
        if not _holds(conditional["when"], valid, scores):
            not_expected.update(conditional["items"])
    return [item for item in range(1, definition["items"] + 1)
            if item not in valid and item not in invalid and item not in not_expected]


def score(definition: dict, answers: dict) -> ScoreResult:
    """Score raw typed answers (item number -> "0".."3", "y"/"n", "r"; "" unanswered).

    Answers outside the instrument's range are reported in ``invalid`` and never scored.
    """
    valid, invalid = _read_answers(definition, answers)
    scores, percentages, stens = _score_scales(definition, valid)
    missing = _missing(definition, valid, invalid, scores)
    allowed = (definition.get("missing") or {}).get("max", 0)
    complete = not invalid and len(missing) <= allowed
    screen = _screen(definition, valid, scores)
    level = _level(definition, scores, screen) if complete else None
    return ScoreResult(scores=scores, percentages=percentages, level=level, screen=screen,
                       missing=missing, invalid=invalid, complete=complete, stens=stens)


# --- validation (the methodologist's editor) ----------------------------------------


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_items(errors: list[str], where: str, items, count: int) -> None:
    if not isinstance(items, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                              for i in items):
        errors.append(_("%(where)s: items must be a list of item numbers.", where=where))
        return
    wrong = [i for i in items if not 1 <= i <= count]
    if wrong:
        errors.append(_("%(where)s: item %(item)s does not exist (the instrument has "
                        "%(count)s items).", where=where, item=wrong[0], count=count))
    if len(set(items)) != len(items):
        errors.append(_("%(where)s: an item is listed twice.", where=where))


def _check_header(definition: dict) -> list[str]:
    errors = []
    count = definition.get("items")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 500:
        errors.append(_("The number of items must be a whole number from 1 to 500."))
    if definition.get("construct") not in CONSTRUCTS:
        errors.append(_("The construct must be anxiety, aggression or suicide_risk."))
    spec = definition.get("answers")
    if not isinstance(spec, dict) or spec.get("type") not in ("yes_no", "scale"):
        errors.append(_('The answers must be of type "yes_no" or "scale".'))
    elif spec["type"] == "scale" and not (
            isinstance(spec.get("min"), int) and isinstance(spec.get("max"), int)
            and spec["min"] < spec["max"]):
        errors.append(_("A scale of answers needs whole numbers min < max."))
    if not isinstance(definition.get("key_verified"), bool):
        errors.append(_("key_verified must be true or false."))
    return errors


def _check_key(errors: list[str], definition: dict, count: int) -> None:
    key = definition.get("key", {})
    if not isinstance(key, dict):
        errors.append(_("The key must map item numbers to y or n."))
        return
    for item, answer in key.items():
        if not (str(item).isdigit() and 1 <= int(item) <= count) or answer not in (YES, NO):
            errors.append(_("Key of item %(item)s: the item must exist and the keyed answer "
                            "be y or n.", item=item))
    if definition.get("count", "match") not in ("match", "mismatch"):
        errors.append(_('"count" must be "match" or "mismatch".'))


def _check_scale(errors: list[str], scale, seen: set[str], definition: dict) -> None:
    count = definition["items"]
    if not isinstance(scale, dict) or not isinstance(scale.get("code"), str) or not scale["code"]:
        errors.append(_("Every scale needs a code."))
        return
    where = _("Scale %(code)s", code=scale["code"])
    if scale["code"] in seen:
        errors.append(_("%(where)s: the code is used twice.", where=where))
    if "sum_of" in scale:
        unknown = [c for c in scale["sum_of"] if c not in seen]
        if unknown:
            errors.append(_("%(where)s: sums scale %(other)s, which is not defined above it.",
                            where=where, other=unknown[0]))
    else:
        for part in ("items", "minus", "reverse"):
            _check_items(errors, where, scale.get(part, []), count)
        if not scale.get("items"):
            errors.append(_("%(where)s: lists no items.", where=where))
    for number in ("weight", "constant"):
        if number in scale and not _is_number(scale[number]):
            errors.append(_("%(where)s: %(name)s must be a number.", where=where, name=number))
    if definition["answers"]["type"] == "yes_no" and (scale.get("reverse") or scale.get("minus")):
        errors.append(_("%(where)s: yes/no answers are keyed, not reversed or subtracted.",
                        where=where))
    if not set(scale.get("reverse", [])) <= set(scale.get("items", [])) | set(
            scale.get("minus", [])):
        errors.append(_("%(where)s: a reverse-keyed item is not among the scale's items.",
                        where=where))
    seen.add(scale["code"])


def _check_bands(errors: list[str], rule, scales: set[str]) -> None:
    if not isinstance(rule, dict) or rule.get("scale") not in scales:
        errors.append(_("A cut-off rule names a scale that does not exist."))
        return
    bands = rule.get("bands")
    where = _("Cut-offs of %(code)s", code=rule["scale"])
    if not isinstance(bands, list) or not bands:
        errors.append(_("%(where)s: list at least one band.", where=where))
        return
    for band in bands:
        if not isinstance(band, dict) or not _is_number(band.get("from")) or band.get(
                "level") not in LEVELS:
            errors.append(_("%(where)s: each band needs a number \"from\" and a level low, "
                            "moderate or high.", where=where))
            return
    starts = [band["from"] for band in bands]
    if len(set(starts)) != len(starts):
        errors.append(_("%(where)s: two bands start at the same score.", where=where))


def _check_condition(errors: list[str], condition, definition: dict, scales: set[str]) -> None:
    if not isinstance(condition, dict):
        errors.append(_("A screen or missing-answer condition is not well formed."))
    elif "scale" in condition:
        if condition["scale"] not in scales:
            errors.append(_("A condition names a scale that does not exist."))
    else:
        _check_items(errors, _("Condition"), condition.get("items", []), definition["items"])


def _check_rules(errors: list[str], definition: dict, scales: set[str]) -> None:
    for rule in definition.get("levels") or []:
        _check_bands(errors, rule, scales)
    screen = definition.get("screen")
    if screen:
        for condition in [*screen.get("positive", []), *screen.get("acute", [])]:
            _check_condition(errors, condition, definition, scales)
        if any(v not in LEVELS for v in (screen.get("levels") or {}).values()):
            errors.append(_("Screen levels must be low, moderate or high."))
    missing = definition.get("missing") or {}
    allowed = missing.get("max", 0)
    if not isinstance(allowed, int) or isinstance(allowed, bool) or allowed < 0:
        errors.append(_("The number of missing answers allowed must be 0 or more."))
    for conditional in missing.get("conditional", []):
        _check_items(errors, _("Conditional items"), conditional.get("items"),
                     definition["items"])
        _check_condition(errors, conditional.get("when"), definition, scales)


def validate_definition(definition: dict) -> list[str]:
    """Everything wrong with a definition, as messages in the user's language."""
    if not isinstance(definition, dict):
        return [_("The definition must be a JSON object.")]
    errors = _check_header(definition)
    if errors:
        return errors
    if definition["answers"]["type"] == "yes_no":
        _check_key(errors, definition, definition["items"])
    scales = definition.get("scales")
    if not isinstance(scales, list) or not scales:
        return [*errors, _("List at least one scale.")]
    seen: set[str] = set()
    for scale in scales:
        _check_scale(errors, scale, seen, definition)
    if not errors:
        _check_rules(errors, definition, seen)
    return errors
