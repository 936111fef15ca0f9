"""The drift tally: the profile's share of each part over a run's pages."""

from __future__ import annotations

from unn_ingest.extractors.drift import DriftTally

CSS = {"title": "single-news-card_newsTitle", "body": "single-news-card_body"}
PROFILE = (("title", "profile"), ("lead", "profile"), ("body", "profile"), ("switcher", "profile"))
DRIFTED = (
    ("title", "structure"),
    ("lead", "metadata"),
    ("body", "structure"),
    ("switcher", "none"),
)


def tally(profiled: int, drifted: int) -> DriftTally:
    found = DriftTally()
    for i in range(profiled):
        found.observe(f"https://unn.ua/news/ok-{i}", PROFILE)
    for i in range(drifted):
        found.observe(f"https://unn.ua/news/new-{i}", DRIFTED)
    return found


def test_shares_count_every_fallback_against_the_profile() -> None:
    parts = {p.part: p for p in tally(8, 2).parts(CSS)}
    assert parts["body"].share == 0.8
    assert parts["body"].sources == {"profile": 8, "structure": 2}
    assert parts["lead"].sources == {"profile": 8, "metadata": 2}
    assert parts["body"].urls == ("https://unn.ua/news/new-0", "https://unn.ua/news/new-1")
    assert parts["body"].selector == "single-news-card_body"


def test_a_page_without_any_switcher_does_not_count_for_the_switcher() -> None:
    parts = {p.part: p for p in tally(3, 5).parts(CSS)}
    assert (parts["switcher"].by_profile, parts["switcher"].by_fallback) == (3, 0)
    assert parts["switcher"].share == 1.0


def test_parts_below_the_threshold_are_drifted() -> None:
    summary = tally(8, 2).summary(CSS, 0.9)
    assert summary["drifted"] == ["title", "lead", "body"]
    assert tally(9, 1).summary(CSS, 0.9)["drifted"] == []


def test_generic_pages_and_empty_runs_are_not_counted() -> None:
    found = DriftTally()
    found.observe("https://example.com/a", ())
    assert found.pages == 0
    assert all(p.share is None for p in found.parts(CSS))
    assert found.summary(CSS, 0.9)["drifted"] == []


def test_example_urls_are_capped() -> None:
    body = next(p for p in tally(0, 12).parts(CSS) if p.part == "body")
    assert len(body.urls) == 5 and body.by_fallback == 12


FLOORS = {"authors": 0.9, "rubric": 0.9}
EVERY_FIELD = ("title", "lead", "body", "authors", "rubric", "image", "tags")


def field_tally(with_author: int, without: int, version: str = "default") -> DriftTally:
    found = DriftTally()
    for i in range(with_author + without):
        present = (
            EVERY_FIELD if i < with_author else tuple(f for f in EVERY_FIELD if f != "authors")
        )
        found.observe(f"https://unn.ua/news/p-{i}", PROFILE, present, version)
    return found


def test_a_field_found_on_fewer_pages_than_its_floor_is_reported() -> None:
    summary = field_tally(15, 10).summary(CSS, 0.9, FLOORS)
    assert summary["fields_below"] == ["authors"]
    fields = summary["fields"]
    assert isinstance(fields, dict)
    assert fields["authors"]["share"] == 0.6 and fields["rubric"]["share"] == 1.0
    assert fields["authors"]["urls"][0] == "https://unn.ua/news/p-15"
    assert fields["sections"]["floor"] is None  # reported, not alarmed
    assert summary["versions"] == {"default": 25}


def test_a_small_run_does_not_judge_fields() -> None:
    assert field_tally(1, 3).summary(CSS, 0.9, FLOORS)["fields_below"] == []
