"""Incident records: normalisation, validation reasons, the wire format and the fast parser."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from stream.categories import CategorySet
from stream.record_parser import RecordParser
from stream.records import Incident, RecordError, derive_id

TODAY = date(2024, 6, 15)


def _fields(**over):
    base = {
        "v": "1",
        "id": "t:1",
        "community": "BELTLINE",
        "category": "Street Robbery",
        "occurred_at": "2023-05-17",
        "count": "1",
        "source": "test",
    }
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def test_names_are_normalised():
    """Communities are trimmed, upper-cased and single-spaced; categories take the set's spelling."""
    inc = Incident.make("a", "  forest   lawn ", "violence 'other'   (non-domestic)", "2023-01-02")
    assert inc.community == "FOREST LAWN"
    assert inc.category == "Violence  'Other' (Non-domestic)"


def test_unknown_community_is_accepted():
    """A community never seen before (new developments appear) is a valid record."""
    assert (
        Incident.make("a", "Brand New Place", "Street Robbery", "2023-01-02").community
        == "BRAND NEW PLACE"
    )


@pytest.mark.parametrize(
    "over, reason",
    [
        ({"id": None}, "missing field 'id'"),
        ({"community": "  "}, "missing field 'community'"),
        ({"category": None, "occurred_at": None}, "missing fields 'category', 'occurred_at'"),
        ({"category": "Arson"}, "unknown category 'Arson'"),
        ({"count": "three"}, "not a number"),
        ({"count": "-1"}, "at least 1"),
        ({"count": "0"}, "at least 1"),
        ({"count": "1.5"}, "not a whole number"),
        ({"occurred_at": "1999-12-31"}, "before 2000-01-01"),
        ({"occurred_at": (TODAY + timedelta(days=5)).isoformat()}, "in the future"),
        ({"occurred_at": "17/05/2023"}, "not an ISO date"),
        ({"community": "X" * 10_000}, "too long"),
        ({"community": "A\x00B"}, "control characters"),
        ({"community": "A|B"}, "must not contain '|'"),
        ({"v": "9"}, "unsupported schema version"),
    ],
)
def test_bad_fields_raise_record_error_with_reason(over, reason):
    """Each kind of bad input is refused with a reason a person can act on."""
    with pytest.raises(RecordError) as exc:
        Incident.from_fields(_fields(**over), today=TODAY)
    assert reason in exc.value.reason


def test_invalid_utf8_bytes_are_refused():
    """Bytes that are not UTF-8 are a record error, not a crash."""
    raw = {k.encode(): v.encode() for k, v in _fields().items()}
    raw[b"community"] = b"BELT\xff\xfeLINE"
    with pytest.raises(RecordError, match="not valid UTF-8"):
        Incident.from_fields(raw, today=TODAY)
    with pytest.raises(RecordError, match="not valid UTF-8"):
        RecordParser(today=TODAY).parse(raw)


def test_fields_round_trip():
    """to_fields then from_fields gives the same record, bytes or text."""
    inc = Incident("t:9", "BELTLINE", "Theft OF Vehicle", date(2023, 2, 28), 4, "calgary")
    assert Incident.from_fields(inc.to_fields()) == inc
    assert Incident.from_fields({k.encode(): v.encode() for k, v in inc.to_fields().items()}) == inc
    assert inc.month == "2023-02"


def test_derived_ids_are_deterministic_and_distinct():
    """Same content and occurrence -> same id; another occurrence -> another id."""
    assert derive_id("calgary", "A", 1) == derive_id("calgary", "A", 1)
    assert derive_id("calgary", "A", 1) != derive_id("calgary", "A", 2)


def test_category_set_from_file(tmp_path):
    """A category set loads from YAML with aliases; a bad alias names the file."""
    path = tmp_path / "cats.yaml"
    path.write_text("categories: [Burglary, Robbery]\naliases: {B&E: Burglary}\n")
    cats = CategorySet.from_file(path)
    assert cats.resolve("b&e") == "Burglary" and cats.resolve("Street Robbery") is None
    path.write_text("categories: [Burglary]\naliases: {x: Nope}\n")
    with pytest.raises(ValueError, match="cats.yaml"):
        CategorySet.from_file(path)


_value = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "1",
            "-3",
            "2",
            "x",
            "2023-05-17",
            "1999-01-01",
            "2031-01-01",
            "beltline",
            "Street Robbery",
            "street  robbery",
            "Arson",
            "A|B",
        ]
    ),
    st.text(max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["v", "id", "community", "category", "occurred_at", "count", "source"]),
        _value,
    )
)
def test_fast_parser_agrees_with_from_fields(fields):
    """The consumer's cached parser accepts and refuses exactly what from_fields does."""
    raw = {k.encode(): v.encode("utf-8", "surrogatepass") for k, v in fields.items()}
    parser = RecordParser(today=TODAY)
    try:
        expected = Incident.from_fields(raw, today=TODAY)
    except RecordError as exc:
        with pytest.raises(RecordError) as got:
            parser.parse(raw)
        assert got.value.reason == exc.reason
    else:
        assert parser.parse(raw) == expected
        assert parser.parse(raw) == expected  # cached path


def test_calgary_categories_are_the_nine_portal_spellings():
    """The default set is the portal's nine, two spaces in 'Violence  'Other'' included."""
    assert len(CategorySet.calgary()) == 9
    assert "Violence  'Other' (Non-domestic)" in CategorySet.calgary().names
