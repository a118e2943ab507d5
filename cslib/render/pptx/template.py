"""A deck's template: opened and checked, its layouts found, and what the deck does not use dropped.

``template`` is a ``.pptx`` file whose slide master and layouts style the
deck: its slide size, theme colours and fonts, title styles and master shapes
(a logo, a colour bar) all apply; any slides it holds are dropped
(:func:`open_presentation`). Layouts are found by name, else by their
placeholders (:func:`find_layout`). Without a template the deck uses
python-pptx's default master widened to 16:9 (:func:`widen`).
``params/qbr-template.pptx`` is a real one, made by
:func:`cslib.render.pptx_template.write_template`.

What the deck does not use of its template is dropped before the deck is
saved (:func:`strip_template`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu

from cslib.errors import ParameterError

__all__ = [
    "WIDE",
    "check_template",
    "drop_slide",
    "find_layout",
    "master_title_size",
    "open_presentation",
    "strip_template",
    "style_size",
    "title_placeholder",
    "widen",
]

#: The house template (:mod:`cslib.render.pptx_template` makes it), committed in ``params/``.
WIDE = (12192000, 6858000)
"""A 16:9 slide in EMU: 13.333 x 7.5 in."""

#: The package relationships a deck keeps: its presentation and its core properties (which
#: the renderer rewrites). The others are the template's: the thumbnail (a picture of its
#: first slide), the app properties (company, manager, its slides' titles), custom
#: properties, digital signatures.
_PACKAGE_KEEPS = frozenset({RT.OFFICE_DOCUMENT, RT.CORE_PROPERTIES})
#: The presentation's relationships a deck keeps. The others are the template's: comment
#: authors, the handout master, custom XML data, tags, printer settings, macros, revision
#: history.
_PRESENTATION_KEEPS = frozenset({RT.SLIDE_MASTER, RT.SLIDE, RT.NOTES_MASTER, RT.THEME,
                                 RT.PRES_PROPS, RT.VIEW_PROPS, RT.TABLE_STYLES, RT.FONT})
#: presentation.xml's lists about the template's own slides: custom shows, sections.
_SECTIONS_EXT = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"


def _load(template: str | Path) -> Any:
    path = Path(template).expanduser()
    if path.suffix.lower() != ".pptx" or not path.is_file():
        raise ParameterError(
            f"the PowerPoint template must be an existing .pptx file, got {str(template)!r}; "
            "save a .potx template as .pptx."
        )
    try:
        return Presentation(str(path))
    except Exception as exc:
        raise ParameterError(
            f"the PowerPoint template {str(path)!r} cannot be read as a presentation "
            f"({type(exc).__name__}: {exc}); open it in PowerPoint and save it as .pptx."
        ) from None


def check_template(template: str | Path) -> Path:
    """The template's path, once it is known to be a ``.pptx`` python-pptx can open.

    Raises
    ------
    ParameterError
        If the file is missing, is not a ``.pptx`` (a ``.potx`` must be saved
        as ``.pptx``), or cannot be read as a presentation.
    """
    _load(template)
    return Path(template).expanduser()


def drop_slide(prs: Any, sld_id: Any) -> None:
    """Remove one slide (its entry in the slide list and its relationship) from ``prs``."""
    prs.part.drop_rel(sld_id.rId)
    prs.slides._sldIdLst.remove(sld_id)


def open_presentation(template: str | Path | None) -> Any:
    """The presentation a deck is built on: the template without its slides, or the default.

    Raises
    ------
    ParameterError
        If ``template`` is not a readable ``.pptx`` file.
    """
    if template is None:
        prs = Presentation()
        widen(prs)
        return prs
    prs = _load(template)
    for sld_id in list(prs.slides._sldIdLst):  # the template's slides are examples, not content
        drop_slide(prs, sld_id)
    return prs


def _scale_x(element: Any, factor: float) -> None:
    """Scale every shape's x offset and width under ``element`` (a master or a layout)."""
    for off in element.iter(qn("a:off")):
        off.set("x", str(int(int(off.get("x")) * factor)))
    for ext in element.iter(qn("a:ext")):
        if ext.get("cx") is not None:
            ext.set("cx", str(int(int(ext.get("cx")) * factor)))


def widen(prs: Any) -> None:
    """python-pptx's default 4:3 master and layouts made 16:9 (shapes widened to match)."""
    factor = WIDE[0] / int(prs.slide_width)
    prs.slide_width, prs.slide_height = Emu(WIDE[0]), Emu(WIDE[1])
    _scale_x(prs.slide_master._element, factor)
    for layout in prs.slide_layouts:
        _scale_x(layout._element, factor)


def find_layout(prs: Any, names: Sequence[str], wanted: set[Any]) -> Any:
    """The layout named one of ``names``, else the one whose placeholders best match ``wanted``."""
    by_name = {layout.name.strip().lower(): layout for layout in prs.slide_layouts}
    for name in names:
        if name in by_name:
            return by_name[name]
    best, score = None, -1e9
    for layout in prs.slide_layouts:
        kinds = {ph.placeholder_format.type for ph in layout.placeholders}
        kinds -= {PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}
        s = 2 * len(kinds & wanted) - len(kinds - wanted)
        if s > score:
            best, score = layout, s
    return best


def title_placeholder(holder: Any) -> Any:
    """The title placeholder of a slide or layout, or ``None``."""
    for ph in holder.placeholders:
        if ph.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE):
            return ph
    return None


def style_size(placeholder: Any, default: float) -> float:
    """The font size (pt) a placeholder's text gets from itself, its layout or master."""
    ph = placeholder
    while ph is not None:
        sz = ph._element.xpath("./p:txBody/a:lstStyle/a:lvl1pPr/a:defRPr/@sz")
        if sz:
            return int(sz[0]) / 100
        ph = getattr(ph, "_base_placeholder", None)
    return default


def master_title_size(prs: Any) -> float:
    """The title size (pt) the slide master's title style gives (44 when it gives none)."""
    sz = prs.slide_master._element.xpath("./p:txStyles/p:titleStyle/a:lvl1pPr/a:defRPr/@sz")
    return int(sz[0]) / 100 if sz else 44.0


def strip_template(prs: Any) -> None:
    """Drop what a deck takes from its template but does not use.

    A template made from an old customer's deck carries that customer into
    every deck made with it, in parts no slide shows: its thumbnail, custom
    and app properties, comment authors, custom XML, handout master, the
    layouts and masters the deck does not use, and the prompt text of the
    placeholders of the masters, layouts and notes master ("Click to edit",
    or whatever the template's author typed there). All of that goes: parts
    are dropped with their relationships (python-pptx saves only the parts
    that are related), prompt text is emptied (a slide's placeholder has its
    own text; an empty one is removed). What the template draws on every
    slide (a logo, a text box on the master) is its branding and stays, for
    the leak scan to read (:func:`cslib.pipeline.leaks.pptx_text` reads every
    part). The core properties are rewritten by
    :func:`cslib.render.pptx.package.deck_bytes`.
    """
    package = prs.part.package
    for r_id, rel in list(package._rels.items()):
        if rel.reltype not in _PACKAGE_KEEPS:
            package._rels.pop(r_id)
    presentation = prs.part
    root = presentation._element
    for r_id, rel in list(presentation.rels.items()):
        if rel.reltype in _PRESENTATION_KEEPS:
            continue
        for el in root.xpath(f"//*[@r:id='{r_id}']"):  # e.g. p:handoutMasterIdLst/...
            parent = el.getparent()
            parent.remove(el)
            if len(parent) == 0 and parent is not root:
                parent.getparent().remove(parent)
        presentation.rels.pop(r_id)
    for el in root.xpath(f"./p:custShowLst | ./p:extLst/p:ext[@uri='{_SECTIONS_EXT}']"):
        el.getparent().remove(el)
    used = {slide.slide_layout.part for slide in prs.slides}
    for master in prs.slide_masters:
        for layout in list(master.slide_layouts):
            if layout.part not in used:
                master.slide_layouts.remove(layout)
    master_ids = root.find(qn("p:sldMasterIdLst"))
    for master_id in list(master_ids):
        master = presentation.related_part(master_id.get(qn("r:id")))
        if not any(layout.part in used for layout in master.slide_master.slide_layouts):
            master_ids.remove(master_id)
            presentation.rels.pop(master_id.get(qn("r:id")))
    holders = [m.part._element for m in prs.slide_masters]
    holders += [layout.part._element for m in prs.slide_masters for layout in m.slide_layouts]
    if any(rel.reltype == RT.NOTES_MASTER for rel in presentation.rels.values()):
        holders.append(presentation.part_related_by(RT.NOTES_MASTER)._element)
    for holder in holders:
        for sp in holder.iter(qn("p:sp")):
            if sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}") is not None:
                for t in sp.iter(qn("a:t")):
                    t.text = ""
