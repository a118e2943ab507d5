"""The leak scan: a customer's document must not name any other account.

``cslib build`` runs every document that is scoped to a customer (or to a
segment) through :class:`LeakScanner` before writing it: the HTML's visible
text and attributes, the PDF's text (extracted with PDFium), a PowerPoint deck's
text (every part of the package: slides and notes, and the masters, layouts,
theme and properties its template brought) and the text drawn in its charts
(which the SVGs hold as paths, and a deck as pictures) are searched for the
names and ids of every account outside the document's scope. A hit fails that
document with a message naming what was found and where (in a deck: which
part); nothing is written.

Matching is on words, not characters, and on their skeletons (see
:func:`words`): an account's name or id matches when its words appear in a
row ("Acme, Inc." and "ACME inc" are the same words), so punctuation, line
breaks and PDF hyphenation do not hide a name, and a name inside a longer word
does not match. A name written without its accents ("Societe Generale"), with
look-alike letters of other scripts (a Cyrillic "і" in "Initech"), fullwidth
or mathematical letters, or with invisible characters inside it is the same
name. Words that are part of a name the document may show (its own
customer's, the publishing company's) do not count: a customer called "Acme
Holdings" may mention "Acme Holdings" even when another account is called
"Acme". Account ids made of digits only are not searched: they cannot be told
apart from the figures in a report.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pandas as pd

__all__ = ["Leak", "LeakScanner", "html_text", "pdf_text", "pptx_text", "words"]

_WORD = re.compile(r"\w+")
_BREAK = re.compile(r"(\w)[-\u2010]\s*\n\s*(\w)")  # a word hyphenated across lines


#: Zero-width break opportunities the renderers put inside long words (the PDF's; HTML's
#: ``<wbr>`` is dropped by :func:`html_text`) and soft hyphens, with the line break a
#: viewer may add there.
_ZERO_WIDTH = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]\s*")

#: Runs of characters other than printable ASCII and ordinary white space: the ones to fold.
_OTHER = re.compile(r"[^\t\n\r\x20-\x7e]+")

#: Default_Ignorable_Code_Point characters that are not format characters (Cf) or marks
#: (M*): fillers and reserved ranges a renderer draws as nothing (Unicode's
#: DerivedCoreProperties.txt).
_IGNORABLE = ((0x115F, 0x1160), (0x17B4, 0x17B5), (0x3164, 0x3164), (0xFFA0, 0xFFA0),
              (0x2065, 0x2065), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF))


def words(text: str) -> list[str]:
    """The words of ``text``, each as its skeleton: runs of letters and digits.

    A word's skeleton is the same for every way of writing it that a reader
    takes for the same word, so an account's name and a document's text are
    compared on skeletons (both go through this function):

    - compatibility decomposition (NFKD): fullwidth, mathematical, circled and
      ligature letters become plain ones;
    - combining marks are removed (accents: "Société" is "societe"; marks
      stacked on a letter), and so are format characters (Unicode category Cf:
      zero-width spaces and joiners, soft hyphens, invisible operators, bidi
      controls), other default-ignorable characters (variation selectors,
      fillers, tags) and control characters;
    - letters of other scripts that look like a Latin letter are folded into it
      with Unicode's confusables (the TR39 skeleton's data, from the
      ``confusable_homoglyphs`` package): Cyrillic "і" and Greek "ο" are "i"
      and "o". Only letters and digits are folded, into letters and digits: a
      fold never moves where words break (TR39 files the em dash under a
      Katakana letter and "×" under "x", which would glue words together);
    - case folding.

    Two choices keep ordinary words apart: letters, digits and marks of ASCII
    are never folded into one another (TR39 files "m" under "rn", "I" and "1"
    under "l", "0" under "O": "modern" and "modem", "III" and "Ill", "100" and
    "loo" would be one word), and a capital that TR39 files under "l" (where it
    files the capital I, such as Cyrillic "Ӏ") is folded into "i", which is what
    case folding makes of "I". Soft hyphens, zero-width break opportunities and
    words hyphenated across lines are joined back, so a long name broken to fit
    a column is one word.

    Examples
    --------
    >>> words("Prepared for SOCIÉTÉ Gl\u03bfbex, In\u2062itech")
    ['prepared', 'for', 'societe', 'globex', 'initech']
    """
    folds = _folds()
    # Printable ASCII needs lower case only: fold the rest, run by run (~2x faster).
    text = _OTHER.sub(lambda run: run[0].translate(folds), _ZERO_WIDTH.sub("", text)).lower()
    return _WORD.findall(_BREAK.sub(r"\1\2", text))


class _Folds(dict):  # type: ignore[type-arg]
    """Code point -> its skeleton (``str``), filled on first use (``str.translate`` asks)."""

    def __init__(self, prototypes: dict[str, str]) -> None:
        super().__init__()
        self._prototypes = prototypes

    def __missing__(self, code: int) -> str:
        folded = self._fold(chr(code))
        self[code] = folded
        return folded

    def _fold(self, char: str) -> str:
        # Fold until nothing changes: a prototype may itself decompose, or its lower case
        # be another character's look-alike (bounded: the data has no cycles, but a
        # character must never hang the scan).
        text = char
        for _ in range(8):
            folded = "".join(self._step(c) for c in unicodedata.normalize("NFKD", text))
            folded = folded.casefold()
            if folded == text:
                break
            text = folded
        return text

    def _step(self, char: str) -> str:
        if _invisible(char):
            return ""
        if char.isascii():
            return char
        prototype = self._prototypes.get(char)
        if prototype is None or not (_WORD.fullmatch(char) and _WORD.fullmatch(prototype)):
            return char  # folding must never move where words break (an em dash is no letter)
        if prototype == "l" and char.casefold() != char:
            return "i"  # a capital drawn as I: case folding makes I an i
        return prototype


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    if category[0] == "M" or category == "Cf":
        return True
    if category == "Cc":
        return not char.isspace()
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _IGNORABLE)


@functools.cache
def _folds() -> _Folds:
    return _Folds(_prototypes())


def _prototypes() -> dict[str, str]:
    """Each look-alike character -> the prototype its TR39 class is written as.

    ``confusable_homoglyphs`` ships Unicode's confusables.txt as a two-way map
    (each source lists its prototype, each prototype its sources): a class is a
    star around its prototype, the one member that lists more than one look-alike
    or that is more than one character ("rn"). A class of two single characters
    has no such center; its ASCII member, else its lower code point, stands for
    it (any member would do: only "the same class" matters). An ASCII letter's
    look-alikes whose prototype is a string of several ASCII letters (``m``'s:
    "rn") stand for that letter, as ASCII is not folded (see :func:`words`).
    """
    import json
    from importlib import resources

    data = json.loads((resources.files("confusable_homoglyphs") / "confusables.json")
                      .read_text(encoding="utf-8"))
    links = {char: [item["c"] for item in items] for char, items in data.items()}
    ascii_of = {}  # "rn" -> "m": an ASCII letter TR39 files under an ASCII string
    for char, targets in links.items():
        if char.isascii() and len(char) == 1 and len(targets) == 1 and targets[0].isascii():
            ascii_of.setdefault(targets[0], char)
    out: dict[str, str] = {}
    for char, targets in links.items():
        if len(char) != 1 or len(targets) != 1:
            continue  # a prototype (the center of its star)
        (other,) = targets
        if len(other) == 1 and len(links.get(other, ())) == 1:
            prototype = min(char, other, key=lambda c: (not c.isascii(), ord(c)))
        else:
            prototype = other
        if len(prototype) > 1 and prototype in ascii_of:
            prototype = ascii_of[prototype]
        if prototype != char:
            out[char] = prototype
    return out


class _Text(HTMLParser):
    SKIP = ("style", "script")
    ATTRS = ("alt", "title", "aria-label", "href", "src")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        # data: URIs (fonts, images) are bytes, not text a reader sees
        self.parts += [v for k, v in attrs if k in self.ATTRS and v and not v.startswith("data:")]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


#: Drawing elements of inline SVG (charts): thousands of tags that hold no text. Dropping
#: the tags (never the text between tags) before parsing makes the scan ~10x faster.
_DRAWING = re.compile(r"<(?:path|use|g|/g|clipPath|/clipPath|defs|/defs|rect|/rect)\b[^>]*>")
#: A line-break opportunity inside a long word: the word goes on, so does the text.
_WBR = re.compile(r"<wbr\s*/?>", re.I)


def html_text(html: str | bytes) -> str:
    """The text a reader can see in an HTML page, plus its alt/title/link attributes."""
    text = html.decode("utf-8") if isinstance(html, bytes) else html
    parser = _Text()
    parser.feed(_WBR.sub("", _DRAWING.sub("", text)))
    parser.close()
    return "\n".join(parser.parts)


def pdf_text(pdf: bytes) -> str:
    """The text of every page of a PDF (PDFium's text layer, as a PDF viewer extracts it)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        # the outline (bookmarks) is text a reader sees too
        pages += [item.get_title() for item in doc.get_toc()]
        return "\n".join(pages)
    finally:
        doc.close()


_DRAWINGML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
#: Attributes that name fonts and languages, not text a reader sees: font names ("Mangal",
#: "Kalinga") would otherwise match accounts of the same name in every deck.
_FONT_ATTRS = frozenset({"typeface", "panose", "pitchFamily", "charset", "script", "lang",
                         "altLang"})
_COLOUR_ATTRS = frozenset({"val", "lastClr"})
#: Attribute values that are machine tokens: GUIDs, numbers, relationship ids.
_TOKEN = re.compile(r"\{?[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\}?"
                    r"|[-+]?\d[\d.,]*%?|rId\d+")

#: What a part of a deck is, for the message of a leak found in it (by folder).
_PART_KINDS = (
    ("ppt/slides/", "a slide"), ("ppt/notesSlides/", "speaker notes"),
    ("ppt/slideLayouts/", "the template's slide layout"),
    ("ppt/slideMasters/", "the template's slide master"),
    ("ppt/notesMasters/", "the template's notes master"),
    ("ppt/handoutMasters/", "the template's handout master"),
    ("ppt/theme/", "the template's theme"), ("docProps/custom", "custom document properties"),
    ("docProps/", "document properties"), ("ppt/comment", "comments"),
    ("customXml/", "custom XML data"),
)


class _Parts(str):
    """A package's text (``str``), which also knows the text of each of its parts.

    :meth:`LeakScanner.scan` reads ``parts`` to say in which part of a deck a
    name was found; everything else reads the joined text.
    """

    parts: tuple[tuple[str, str], ...]

    def __new__(cls, parts: Iterable[tuple[str, str]]) -> _Parts:
        parts = tuple(parts)
        self = super().__new__(cls, "\n".join(text for _, text in parts))
        self.parts = parts
        return self

    def __reduce__(self) -> tuple[type[_Parts], tuple[tuple[tuple[str, str], ...]]]:
        return (_Parts, (self.parts,))


def _part_label(name: str) -> str:
    owner = re.sub(r"_rels/([^/]+)\.rels$", r"\1", name)
    kind = next((what for prefix, what in _PART_KINDS if owner.startswith(prefix)), "")
    if name.endswith(".rels"):
        kind = f"links of {kind or 'the package'}"
    return f"{kind}, {name}" if kind else name


def _reading_order(name: str) -> tuple[int, list[int | str]]:
    """Slides first, then their notes, then the rest; slide10 after slide9."""
    rank = next((i for i, prefix in enumerate(("ppt/slides/", "ppt/notesSlides/"))
                 if name.startswith(prefix)), 2)
    return rank, [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", name)]


def _xml_text(root: Any) -> list[str]:
    """Every text node and every attribute value of an XML part that is not a machine token.

    A DrawingML paragraph's runs are joined (a name split over runs is found
    whole) and its line breaks kept; comments are read too.
    """
    paragraph, run_text, br = f"{_DRAWINGML}p", f"{_DRAWINGML}t", f"{_DRAWINGML}br"
    out: list[str] = []
    values: set[str] = set()
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            if el.text and el.text.strip():
                out.append(el.text)
            continue
        if tag == paragraph:
            out.append("".join("\n" if node.tag == br else (node.text or "")
                               for node in el.iter(run_text, br)))
        elif tag != run_text and el.text and el.text.strip():
            out.append(el.text)
        if el.tail and el.tail.strip():
            out.append(el.tail)
        items = el.items()
        if items:
            skip = _COLOUR_ATTRS if tag.endswith("Clr") else _FONT_ATTRS  # a colour's value
            values.update(v for k, v in items if k not in skip)
    out += sorted(v for v in values if v.strip() and not _TOKEN.fullmatch(v))
    return out


def pptx_text(pptx: bytes) -> str:
    """The text a reader of a PowerPoint deck can see or open, in every part of the package.

    A deck is a zip of parts; PowerPoint shows the slides and speaker notes,
    and opens everything else on request: the slide masters and layouts, the
    notes and handout masters (View > Master), the theme's names, the
    document properties (core, app and custom), comments and their authors,
    custom XML. So every XML part is read, not a list of the expected ones:
    every text node (a paragraph's runs joined, so a name split over several
    runs is found whole) and every attribute value but machine tokens (GUIDs,
    numbers, relationship ids, colour values, font and language names), and every
    external link target of every part's relationships. Binary parts
    (pictures, the thumbnail, embedded fonts) are not text; the deck renderer
    drops the thumbnail and the template's other leftovers
    (:mod:`cslib.render.pptx`).

    The result is the text of all parts, each part's also known on its own (a
    leak found is reported with the part, e.g. "the template's slide master").
    """
    import io
    import zipfile

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parts: list[tuple[str, str]] = []
    with zipfile.ZipFile(io.BytesIO(pptx)) as package:
        for name in sorted(package.namelist(), key=_reading_order):
            data = package.read(name)
            if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                continue  # not XML: a picture, a font, printer settings
            try:
                root = etree.fromstring(data, parser)
            except etree.XMLSyntaxError:
                # a part no XML reader opens may still be opened as text: read it as such
                parts.append((_part_label(name), data.decode("utf-8", "replace")))
                continue
            if name.endswith(".rels"):
                text = [rel.get("Target", "") for rel in root
                        if rel.get("TargetMode") == "External"]
            else:
                text = _xml_text(root)
            if text:
                parts.append((_part_label(name), "\n".join(text)))
    return _Parts(parts)


@dataclass(frozen=True)
class Leak:
    """One account outside the document's scope named in it."""

    account_id: str
    what: str  # "name" or "id"
    value: str
    where: str  # "HTML", "PDF", "PPTX", "chart text"
    part: str = ""  # within ``where``: "a slide, ppt/slides/slide3.xml" (decks)

    def __str__(self) -> str:
        where = f"{self.where} ({self.part})" if self.part else self.where
        return f"{where} names account {self.account_id!r} (its {self.what} {self.value!r})"


class LeakScanner:
    """Finds the names and ids of accounts outside a document's scope in its text.

    Parameters
    ----------
    accounts : pandas.DataFrame
        The full dataset's ``accounts`` (``account_id``, ``name``).
    company : str
        The publishing company, whose name every document may show.
    ignore : iterable of str
        Names or ids not to search for: an account called "Target" would
        otherwise match every "target" in every report (a plan's
        ``leak_scan_ignore``).
    """

    def __init__(
        self, accounts: pd.DataFrame, *, company: str = "", ignore: Iterable[str] = ()
    ) -> None:
        self._terms: dict[str, list[tuple[tuple[str, ...], str, str, str]]] = {}
        self._own: dict[str, list[tuple[str, ...]]] = {}
        skip = {tuple(words(v)) for v in ignore}
        for aid, name in zip(accounts["account_id"].astype(str),
                             accounts["name"].astype(str), strict=True):
            for what, value in (("name", name), ("id", aid)):
                seq = tuple(words(value))
                if not seq or (what == "id" and aid.isdigit()) or seq in skip:
                    continue
                self._terms.setdefault(seq[0], []).append((seq, aid, what, value))
                self._own.setdefault(aid, []).append(seq)
        self._company = tuple(words(company))

    def scan(self, texts: Mapping[str, str], allowed: Iterable[str]) -> list[Leak]:
        """Every name or id of an account not in ``allowed`` found in ``texts``.

        ``texts`` maps where the text came from (``"HTML"``, ``"PDF"``...) to
        the text. One finding per account and place; in a deck's text
        (:func:`pptx_text`), the finding names the part it is in.
        """
        allowed = set(allowed)
        mine = [seq for aid in allowed for seq in self._own.get(aid, [])]
        if self._company:
            mine.append(self._company)
        found: dict[tuple[str, str], Leak] = {}
        for where, text in texts.items():
            for part, piece in getattr(text, "parts", None) or (("", text),):
                tokens = words(piece)
                covered = _covered(tokens, mine)
                for i, token in enumerate(tokens):
                    for seq, aid, what, value in self._terms.get(token, ()):
                        if aid in allowed or (aid, where) in found:
                            continue
                        end = i + len(seq)
                        if tuple(tokens[i:end]) == seq and not all(covered[i:end]):
                            found[(aid, where)] = Leak(aid, what, value, where, part)
        return list(found.values())


def _covered(tokens: list[str], sequences: list[tuple[str, ...]]) -> list[bool]:
    """Marks the tokens that belong to an occurrence of one of ``sequences``."""
    covered = [False] * len(tokens)
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for seq in sequences:
        by_first.setdefault(seq[0], []).append(seq)
    for i, token in enumerate(tokens):
        for seq in by_first.get(token, ()):
            end = i + len(seq)
            if tuple(tokens[i:end]) == seq:
                covered[i:end] = [True] * len(seq)
    return covered
