"""Write the house QBR deck template, ``params/qbr-template.pptx``.

``python -m cslib.render.pptx_template [PATH]`` (re)writes it; the committed file is
what :func:`write_template` makes (a test checks it byte for byte). It starts
from python-pptx's default master, widened to 16:9, and sets the brand a
company would set in PowerPoint: theme colours (Okabe-Ito blue first, as in the
charts, navy for text 2), theme fonts (Arial), title styles, a blue bar on the
master and a navy title slide. A company uses its own ``.pptx`` instead (a
plan's ``pptx_template``); :mod:`cslib.render.pptx` reads any template the same
way: by its layouts' names and placeholders, theme colours and fonts.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.enum.dml import MSO_THEME_COLOR
from pptx.enum.shapes import MSO_SHAPE
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

from cslib.render.pptx.measure import EMU_IN
from cslib.render.pptx.package import saved
from cslib.render.pptx.shapes import unstyled
from cslib.render.pptx.template import WIDE, drop_slide, widen

__all__ = ["main", "write_template"]

#: The house brand of ``params/qbr-template.pptx``: Okabe-Ito accents (the charts' colours).
_BRAND = {
    "dk2": "0B3C5D", "lt2": "EAF3FA", "accent1": "0072B2", "accent2": "E69F00",
    "accent3": "009E73", "accent4": "CC79A7", "accent5": "56B4E9", "accent6": "D55E00",
    "hlink": "0072B2", "folHlink": "5F6B76",
}
_BRAND_FONT = "Arial"


def _theme(prs: Any) -> Any:
    return prs.slide_master.part.part_related_by(RT.THEME)


def _xfrm(sp: Any, left: int, top: int, width: int, height: int) -> None:
    sp_pr = sp.find(qn("p:spPr"))
    xfrm = sp_pr.find(qn("a:xfrm"))
    if xfrm is None:
        xfrm = etree.SubElement(sp_pr, qn("a:xfrm"))
        sp_pr.insert(0, xfrm)
    for child in list(xfrm):
        xfrm.remove(child)
    etree.SubElement(xfrm, qn("a:off"), x=str(left), y=str(top))
    etree.SubElement(xfrm, qn("a:ext"), cx=str(width), cy=str(height))


def _level1(sp: Any) -> Any:
    """The ``a:lvl1pPr`` of a placeholder's own list style (made if missing)."""
    body = sp.find(qn("p:txBody"))
    lst = body.find(qn("a:lstStyle"))
    if lst is None:
        lst = etree.Element(qn("a:lstStyle"))
        body.insert(1, lst)
    lvl = lst.find(qn("a:lvl1pPr"))
    if lvl is None:
        lvl = etree.SubElement(lst, qn("a:lvl1pPr"))
    return lvl


def _run_style(lvl: Any, *, size: float, color: str, bold: bool = False,
               align: str = "l") -> None:
    lvl.set("algn", align)
    for child in list(lvl):
        if child.tag == qn("a:defRPr"):
            lvl.remove(child)
    rpr = etree.SubElement(lvl, qn("a:defRPr"), sz=str(int(size * 100)))
    if bold:
        rpr.set("b", "1")
    fill = etree.SubElement(rpr, qn("a:solidFill"))
    etree.SubElement(fill, qn("a:schemeClr"), val=color)


def _anchor(sp: Any, anchor: str) -> None:
    body_pr = sp.find(qn("p:txBody")).find(qn("a:bodyPr"))
    body_pr.set("anchor", anchor)
    for child in list(body_pr):
        body_pr.remove(child)  # no autofit: the renderer sizes text itself


def _placeholders(element: Any) -> dict[str, Any]:
    out = {}
    for sp in element.iter(qn("p:sp")):
        ph = sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}")
        if ph is not None:
            out.setdefault(ph.get("type", "body"), sp)
    return out


def _rect(prs: Any, left: int, top: int, width: int, height: int, color: str,
          name: str) -> Any:
    """A filled rectangle's XML (no outline), made on a scratch slide and detached."""
    scratch = prs.slides.add_slide(prs.slide_layouts[6])
    shape = scratch.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, height)
    shape.name = name
    shape.fill.solid()
    shape.fill.fore_color.theme_color = getattr(MSO_THEME_COLOR, color)
    shape.line.fill.background()
    element = copy.deepcopy(unstyled(shape)._element)
    drop_slide(prs, prs.slides._sldIdLst[-1])
    return element


def write_template(path: str | Path) -> Path:
    """Write the house QBR template (``params/qbr-template.pptx``): 16:9, brand colours, Arial.

    Made from python-pptx's default master: the theme's colours become the
    house accents (Okabe-Ito blue first, as in the charts; navy text 2) and
    its fonts Arial; the master gets a blue bar along the top and
    left-aligned 28 pt navy titles; the title slide is navy with white text
    and an orange rule. A company replaces it with its own ``.pptx`` (plan key
    ``pptx_template``).

    Parameters
    ----------
    path : str or Path
        Where to write the template.

    Returns
    -------
    Path
        ``path``. The same call always writes the same bytes.
    """
    prs = Presentation()
    widen(prs)
    width, height = WIDE
    inch = EMU_IN
    theme = _theme(prs)
    xml = theme.blob.decode("utf-8")
    xml = xml.replace('name="Office Theme"', 'name="Larkspur QBR"')
    xml = re.sub(r'<a:clrScheme name="[^"]*">', '<a:clrScheme name="Larkspur">', xml)
    for slot, rgb in _BRAND.items():
        xml = re.sub(rf"<a:{slot}>.*?</a:{slot}>",
                     f'<a:{slot}><a:srgbClr val="{rgb}"/></a:{slot}>', xml, count=1)
    xml = re.sub(r'<a:fontScheme name="[^"]*">', '<a:fontScheme name="Larkspur">', xml)
    xml = xml.replace('<a:latin typeface="Calibri"/>', f'<a:latin typeface="{_BRAND_FONT}"/>')
    theme._blob = xml.encode("utf-8")

    master = prs.slide_master._element
    title_top, title_h = int(0.32 * inch), int(0.85 * inch)
    margin = int(0.6 * inch)
    styles = master.find(qn("p:txStyles"))
    title_lvl = styles.find(qn("p:titleStyle")).find(qn("a:lvl1pPr"))
    _run_style(title_lvl, size=28, color="tx2", bold=True)
    for lvl, size in zip(styles.find(qn("p:bodyStyle")), (22, 20, 18, 16, 16, 16, 16, 16, 16),
                         strict=False):
        rpr = lvl.find(qn("a:defRPr"))
        if rpr is not None:
            rpr.set("sz", str(size * 100))
    body_top = title_top + title_h + int(0.2 * inch)
    body_h = height - body_top - int(0.7 * inch)
    for element in [master, *(layout._element for layout in prs.slide_layouts)]:
        phs = _placeholders(element)
        # the usual title across the top (not the cover's, a divider's or a vertical one)
        standard = "title" in phs and phs["title"].xpath("./p:spPr/a:xfrm/a:off/@y") == [
            "274638"] and int(phs["title"].xpath("./p:spPr/a:xfrm/a:ext/@cx")[0]) > width // 2
        if standard or (element is master and "title" in phs):
            _xfrm(phs["title"], margin, title_top, width - 2 * margin, title_h)
            _anchor(phs["title"], "b")
        if element is master and "body" in phs:
            _xfrm(phs["body"], margin, body_top, width - 2 * margin, body_h)
    for layout in prs.slide_layouts:  # Title and Content, Vertical text: body under the title
        phs = _placeholders(layout._element)
        for key in ("obj", "body"):
            sp = phs.get(key)
            if sp is not None and layout.name in ("Title and Content", "Title and Vertical Text"):
                _xfrm(sp, margin, body_top, width - 2 * margin, body_h)
    bar = _rect(prs, 0, 0, width, int(0.1 * inch), "ACCENT_1", "Brand bar")
    sp_tree = master.find(qn("p:cSld")).find(qn("p:spTree"))
    sp_tree.insert(2, bar)  # behind the placeholders

    cover = prs.slide_layouts[0]._element  # Title Slide: navy, white title, orange rule
    c_sld = cover.find(qn("p:cSld"))
    bg = etree.Element(qn("p:bg"))
    bg_pr = etree.SubElement(bg, qn("p:bgPr"))
    etree.SubElement(etree.SubElement(bg_pr, qn("a:solidFill")), qn("a:schemeClr"), val="tx2")
    etree.SubElement(bg_pr, qn("a:effectLst"))
    c_sld.insert(0, bg)
    cover.set("showMasterSp", "0")
    phs = _placeholders(cover)
    left, text_w = int(0.9 * inch), width - int(1.8 * inch)
    _xfrm(phs["ctrTitle"], left, int(1.6 * inch), text_w, int(2.2 * inch))
    _anchor(phs["ctrTitle"], "b")
    _run_style(_level1(phs["ctrTitle"]), size=40, color="bg1", bold=True)
    _xfrm(phs["subTitle"], left, int(4.25 * inch), text_w, int(1.9 * inch))
    _anchor(phs["subTitle"], "t")
    sub = _level1(phs["subTitle"])
    _run_style(sub, size=20, color="bg2")
    sub.set("marL", "0")
    sub.set("indent", "0")
    rule = _rect(prs, left + 91440, int(4.0 * inch), int(1.4 * inch), int(0.07 * inch),
                 "ACCENT_2", "Brand rule")
    c_sld.find(qn("p:spTree")).append(rule)

    prs.core_properties.title = "QBR template"
    prs.core_properties.author = prs.core_properties.last_modified_by = "cslib"
    prs.core_properties.revision = 1
    prs.core_properties.created = prs.core_properties.modified = dt.datetime(2026, 1, 1)
    path = Path(path)
    path.write_bytes(saved(prs))
    return path


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cslib.render.pptx_template [PATH]``: (re)write the template.

    PATH defaults to ``params/qbr-template.pptx`` of the project folder you run it from.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    path = write_template(Path(args[0] if args else "params/qbr-template.pptx"))
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
