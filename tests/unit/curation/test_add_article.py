"""Registering an article and proposing its facts (real files in a copy of the seeds)."""

from __future__ import annotations

import hashlib

import pytest

from etl.checks.validate import validate_seeds
from etl.curation.add_article import ArticleRejected, add_article, slugify
from etl.curation.draft import render
from etl.curation.propose import propose_article
from etl.problems import ValidationFailed
from etl.sources.numbers import SCALES
from etl.sources.periods import StatementDate
from etl.sources.seed_files import load_yaml

ARTICLE = """Hefei bets on new energy vehicles
By a staff reporter | Updated: 2023-03-08

Hefei, capital of Anhui province, said on Tuesday that more than 1,200 new energy vehicle companies were registered in the city last year, up 35 percent year-on-year.

Chinese AI firm iFlytek opened a research centre in Chengdu in January, the company said.

Meanwhile, Huawei has set up a joint venture with the Hunan provincial government to build cloud servers, investing close to 3 billion yuan ($435 million).
"""


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "incoming.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_add_article_registers_bytes_and_manifest(seeds_copy, article):
    new = add_article(
        seeds_copy, article, "Hefei bets on new energy vehicles", "China Daily", "2023-03-08"
    )
    assert new.source_id == "hefei-bets-new-energy-vehicles-2023"
    assert new.path.read_bytes() == article.read_bytes()
    entry = next(
        e
        for e in load_yaml(seeds_copy / "articles" / "manifest.yml")["articles"]
        if e["source_id"] == new.source_id
    )
    assert entry["sha256"] == hashlib.sha256(article.read_bytes()).hexdigest()
    assert (entry["published_on"], entry["published_precision"], entry["published_basis"]) == (
        "2023-03-08",
        "day",
        "stated",
    )
    assert (
        "# Source register" in (seeds_copy / "articles" / "manifest.yml").read_text()
    )  # comments kept
    corpus = validate_seeds(seeds_copy)  # the new article with its empty facts file is valid
    assert new.source_id in {s["source_id"] for s in corpus.sources}


def test_add_article_refuses_duplicates_and_bad_text(seeds_copy, article, tmp_path):
    add_article(seeds_copy, article, "Hefei bets on new energy vehicles", None, "2023")
    with pytest.raises(ArticleRejected, match="already registered as hefei-bets"):
        add_article(seeds_copy, article, "Another title", None, "2023")
    seed = seeds_copy / "articles" / "rising-tech-hubs-2017.txt"
    with pytest.raises(ArticleRejected, match="already registered as rising-tech-hubs-2017"):
        add_article(seeds_copy, seed, "Copy", None, "2017")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Caf\xe9 in Chengdu, more than 40 companies.".encode("latin-1"))
    with pytest.raises(ArticleRejected, match="not UTF-8"):
        add_article(seeds_copy, latin, "Cafe", None, "2023")
    with pytest.raises(ArticleRejected, match="YYYY"):
        add_article(seeds_copy, article, "t", None, "March 2023")
    manifest = (seeds_copy / "articles" / "manifest.yml").read_text()
    assert manifest.count("source_id:") == 6  # nothing was registered by the refusals


def test_slugify():
    assert (
        slugify("China's inland rides waves of innovation, new opportunities")
        == "china-s-inland-rides-waves-innovation"
    )


def test_propose_finds_numbers_relations_and_resolves_periods(seeds_copy, article):
    corpus = validate_seeds(seeds_copy)
    proposal = propose_article(
        ARTICLE, StatementDate.parse("2023-03-08"), corpus.places, corpus.firms
    )
    by_number = {n["number"]: n for n in proposal.numbers}
    companies = by_number["more than 1,200"]
    assert (companies["value"], companies["comparator"], companies["place"]) == (
        1200,
        "more_than",
        "hefei",
    )
    assert companies["period"] == {"relative": "last year"} and companies["value_type"] == "actual"
    assert by_number["35 percent"]["value"] == 35
    money = by_number["close to 3 billion yuan"]
    assert (money["comparator"], money["currency"], money["usd_number"], money["firm"]) == (
        "close_to",
        "CNY",
        "$435 million",
        "huawei",
    )
    assert "$435 million" not in by_number  # the bracketed USD figure belongs to the yuan amount
    relations = {(r["firm"], r["place"], r["presence_type"]) for r in proposal.relations}
    assert ("iflytek", "chengdu", "research_centre") in relations
    assert ("huawei", "hunan", "joint_venture") in relations
    assert all(n["status"] == "unreviewed" for n in proposal.numbers)
    assert all(r["review"] == "unreviewed" for r in proposal.relations)


def test_validate_refuses_unreviewed_candidates_until_reviewed(seeds_copy, article):
    new = add_article(seeds_copy, article, "Hefei bets on new energy vehicles", None, "2023-03-08")
    corpus = validate_seeds(seeds_copy)
    proposal = propose_article(
        ARTICLE, StatementDate.parse("2023-03-08"), corpus.places, corpus.firms
    )
    new.facts_path.write_text(render(proposal, new.source_id))
    with pytest.raises(ValidationFailed) as info:
        validate_seeds(seeds_copy)
    assert sum("not reviewed" in p.message for p in info.value.problems) == len(
        proposal.numbers
    ) + len(proposal.relations)
    # A curator keeps what is right, fixes the metric, adds the year's rate, marks it reviewed.
    text = new.facts_path.read_text()
    text = text.replace("status: unreviewed", "status: reviewed").replace(
        "review: unreviewed", "review: reviewed"
    )
    text = text.replace("metric: TODO", "metric: ai_company_count_growth")
    new.facts_path.write_text(text)
    (seeds_copy / "reference" / "fx_rates.csv").open("a").write("nbs_annual_avg,2023,7.0467\n")
    corpus = validate_seeds(seeds_copy)
    values = {
        (n["value"], n["comparator"]) for n in corpus.numbers if n["fact_id"].startswith("hefei")
    }
    assert (1200.0, "more_than") in values


def test_proposer_recall_on_the_curated_seeds(seeds_copy):
    """The measurement the README reports, as a floor: recall on the five seed articles."""
    corpus = validate_seeds(seeds_copy)
    hits = total = 0
    for src in corpus.sources:
        stated = StatementDate(src["statement_date"], src["published_precision"])
        proposal = propose_article(src["body"], stated, corpus.places, corpus.firms)
        found = {
            (round(n["value"] * SCALES.get(n.get("scale"), 1), 3), n["comparator"])
            for n in proposal.numbers
        }
        ids = {e["fact_id"] for e in corpus.evidence if e["source_id"] == src["source_id"]}
        for n in corpus.numbers:
            if n["fact_id"] in ids:
                total += 1
                hits += (round(n["value"], 3), n["comparator"]) in found
    assert hits / total >= 0.9
