"""The leak scan reads names the way a reader sees them: accents, look-alike letters from
other scripts and invisible characters do not hide another account's name."""

from __future__ import annotations

import pandas as pd
import pytest

from cslib.pipeline.leaks import LeakScanner, words

pytestmark = pytest.mark.slow

ACCOUNTS = pd.DataFrame({
    "account_id": ["A1", "A2", "A3", "A4", "A5", "A6"],
    "name": ["Acme Inc", "Société Générale", "Initech", "Globex", "Modem Works", "Loo"],
})


def _found(text: str, allowed: set[str] | None = None) -> list[str]:
    scanner = LeakScanner(ACCOUNTS, company="Larkspur Analytics")
    return sorted(leak.account_id for leak in scanner.scan({"PDF": text}, allowed or {"A6"}))


@pytest.mark.parametrize(
    "text",
    [
        "Compared with Societe Generale",  # accents left out
        "Compared with SOCIÉTÉ GÉNÉRALE",
        "Compared with Socie\u0301te\u0301 Ge\u0301ne\u0301rale",  # decomposed accents
        "Compared with Soci\u00e9t\u00e9 G\u00e9n\u00e9rale",  # composed
    ],
)
def test_a_name_is_found_without_or_with_other_accents(text):
    assert _found(text) == ["A2"]


def test_a_name_written_with_accents_is_found_when_the_account_has_none():
    accounts = pd.DataFrame({"account_id": ["A1", "A2"], "name": ["Acme", "Cafe Noir"]})
    scanner = LeakScanner(accounts)
    assert [leak.account_id for leak in scanner.scan({"HTML": "Café Noir"}, {"A1"})] == ["A2"]


@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("In\u0456tech", "A3"),  # Cyrillic small byelorussian-ukrainian i
        ("\u0406nitech", "A3"),  # its capital
        ("\u04c0nitech", "A3"),  # Cyrillic palochka, drawn as a capital I
        ("\u0399NITECH", "A3"),  # Greek capital iota
        ("Gl\u03bfbex", "A4"),  # Greek omicron
        ("\u13c0lobex", "A4"),  # Cherokee letter nah, drawn as a G
        ("\u0261lobex", "A4"),  # Latin small script g
        ("Gl\u0585bex", "A4"),  # Armenian oh
        ("Gl\u043ebe\u0445", "A4"),  # Cyrillic o and ha
        ("\uff27\uff4c\uff4f\uff42\uff45\uff58", "A4"),  # fullwidth
        ("\U0001d406\U0001d425\U0001d428\U0001d41b\U0001d41e\U0001d431", "A4"),  # math bold
        ("\U0001d53e\U0001d55d\U0001d560\U0001d553\U0001d556\U0001d569", "A4"),  # double-struck
        ("Glo\u13cfex", "A4"),  # Cherokee letter si, drawn as a b
        ("\u0410\u0441me Inc", "A1"),  # Cyrillic A and es
    ],
)
def test_a_name_written_with_look_alike_letters_is_found(text, account):
    assert _found(f"Thanks to {text} for the intro.") == [account]


@pytest.mark.parametrize(
    "invisible",
    [
        "\u2062",  # INVISIBLE TIMES
        "\u2063",  # INVISIBLE SEPARATOR
        "\u200b",  # ZERO WIDTH SPACE
        "\u200c",  # ZERO WIDTH NON-JOINER
        "\u00ad",  # SOFT HYPHEN
        "\u2060",  # WORD JOINER
        "\ufeff",  # ZERO WIDTH NO-BREAK SPACE
        "\u202e",  # RIGHT-TO-LEFT OVERRIDE
        "\u2066",  # LEFT-TO-RIGHT ISOLATE
        "\u200e",  # LEFT-TO-RIGHT MARK
        "\ufe0f",  # VARIATION SELECTOR-16
        "\U000e0101",  # VARIATION SELECTOR-18
        "\u034f",  # COMBINING GRAPHEME JOINER
        "\u0334",  # COMBINING TILDE OVERLAY (stacked on the letter)
        "\u0336\u0336\u0301",  # several combining marks
        "\u3164",  # HANGUL FILLER
        "\U000e0041",  # TAG LATIN CAPITAL LETTER A
        "\x7f",  # DELETE (a control character)
    ],
)
def test_a_name_with_invisible_characters_inside_is_found(invisible):
    assert _found(f"Thanks to Ini{invisible}tech and G{invisible}lobex.") == ["A3", "A4"]


@pytest.mark.parametrize(
    ("text", "allowed"),
    [
        ("Prepared for Societe Generale", {"A2"}),  # the customer's own name, any spelling
        ("Prepared for SOCI\u0415T\u0415 G\u0415N\u0415RAL\u0415", {"A2"}),  # Cyrillic E
        ("Prepared for \u0410\u0441me Inc", {"A1"}),
    ],
)
def test_the_customers_own_name_in_any_spelling_is_not_a_leak(text, allowed):
    assert _found(text, allowed) == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Modem", "a modern approach"),  # ASCII letters are not folded together: rn is not m
        ("Com", "corn and wheat"),
        ("Ill", "Phase III"),  # nor I, l and 1
        ("Il", "11 seats"),
        ("Loo", "100 seats"),  # nor O and 0
    ],
)
def test_ascii_look_alikes_are_different_words(name, text):
    accounts = pd.DataFrame({"account_id": ["A1", "A2"], "name": ["Acme", name]})
    assert LeakScanner(accounts).scan({"PDF": text}, {"A1"}) == []


def test_own_names_cover_other_accounts_words_in_every_spelling():
    """A customer called "Société Générale" may show its name, however written, even
    when another account is called "Generale"."""
    accounts = pd.DataFrame({"account_id": ["A1", "A2"],
                             "name": ["Société Générale", "Generale"]})
    scanner = LeakScanner(accounts)
    for text in ("Société Générale", "SOCIETE GENERALE", "Soci\u0435t\u0435 G\u0435n\u0435rale"):
        assert scanner.scan({"PDF": text}, {"A1"}) == [], text
    assert [leak.account_id for leak in scanner.scan({"PDF": "Générale"}, {"A1"})] == ["A2"]


def test_ignored_names_are_matched_in_every_spelling():
    accounts = pd.DataFrame({"account_id": ["A1", "A2"], "name": ["Acme", "Café"]})
    assert LeakScanner(accounts, ignore=["cafe"]).scan({"PDF": "CAFÉ"}, {"A1"}) == []


def test_words_are_skeletons():
    assert words("ＡＣＭＥ\u00adInc., «Ümlaut» Gl\u03bfbex In\u2062itech") == [
        "acmeinc", "umlaut", "globex", "initech"]
    assert words("Straße") == words("STRASSE")


@pytest.mark.parametrize(
    "text", ["North\u00ad\nwind Traders", "North\u2010\nwind Traders",
             "North\u2011\n wind Traders", "North-\nwind Tra\u200b\nders"])
def test_a_name_broken_across_lines_is_joined_back(text):
    assert words(text) == ["northwind", "traders"]


def test_the_scan_of_a_document_without_look_alikes_is_unchanged():
    """Plain ASCII text and ordinary punctuation split into the same words as before."""
    text = "Northwind Tra-\nders—62.5% of seats; A-0017 (renewal) • “quoted” … 3×4"
    assert words(text) == ["northwind", "traders", "62", "5", "of", "seats", "a",
                           "0017", "renewal", "quoted", "3", "4"]
