"""Words for the report: names of connections, implants, sites, as clinicians say them."""

from __future__ import annotations

from tadplan.case import fdi
from tadplan.model import Connection, ConnectionKind, Implant, ImplantHead

CONNECTION_NAMES: dict[ConnectionKind, str] = {
    ConnectionKind.compression_spring: "open-coil (compression) spring",
    ConnectionKind.niti_tension_spring: "NiTi closed-coil (tension) spring",
    ConnectionKind.elastic_chain: "elastic chain",
    ConnectionKind.elastic: "elastic",
    ConnectionKind.lever_arm: "lever arm",
    ConnectionKind.power_hook: "power hook",
    ConnectionKind.ligature_tie_back: "steel ligature tie-back",
    ConnectionKind.segmental_arch: "segmental arch",
    ConnectionKind.cross_tube: "segmental arch in a cross tube",
    ConnectionKind.band_auxiliary_slot: "segmental arch in the band's auxiliary slot",
    ConnectionKind.composite_bond: "wire segment bonded with composite",
    ConnectionKind.tpa: "transpalatal arch (TPA)",
    ConnectionKind.quadhelix: "quadhelix",
    ConnectionKind.horseshoe_arch: "horseshoe arch",
    ConnectionKind.expander: "miniscrew-assisted expander",
    ConnectionKind.distaliser: "distaliser",
    ConnectionKind.cantilever: "cantilever",
    ConnectionKind.intermaxillary_fixation: "intermaxillary fixation",
}

HEAD_NAMES: dict[ImplantHead, str] = {
    ImplantHead.standard: "standard head",
    ImplantHead.bracket_head: "bracket head",
    ImplantHead.cross_slot: "cross-slot head",
    ImplantHead.wide_slot: "wide-slot head",
}


def jaw_name(jaw: fdi.Arch) -> str:
    return "Maxilla" if jaw == "maxilla" else "Mandible"


def fmt_num(x: float, digits: int = 1) -> str:
    """``1.50`` -> ``"1.5"``, ``8.0`` -> ``"8"``, ``-0.01`` -> ``"0"`` (never ``"-0"``)."""
    return f"{round(x, digits) + 0.0:g}"


def fmt_force(g: float) -> str:
    """A force as clinicians write it: ``"200 g"``; orthopaedic forces in kilograms
    (``"18 kg"``, ``"1.5 kg"``)."""
    if abs(g) >= 1000:
        return f"{fmt_num(g / 1000, 1 if abs(g) < 10000 else 0)} kg"
    return f"{fmt_num(g, 0)} g"


def implant_size(imp: Implant) -> str:
    return f"Ø {fmt_num(imp.diameter_mm)} × {fmt_num(imp.length_mm)} mm"


def implant_label(imp: Implant) -> str:
    head = "" if imp.head == ImplantHead.standard else f", {HEAD_NAMES[imp.head]}"
    return f"{imp.id}: mini-implant {implant_size(imp)}{head}, {imp.site.label()}"


def connection_label(conn: Connection) -> str:
    force = f" {fmt_force(conn.force_g)}" if conn.force_g is not None else ""
    passive = " (passive)" if conn.passive else ""
    teeth = f" to {', '.join(map(str, conn.teeth))}" if conn.teeth else ""
    return f"{conn.id}: {CONNECTION_NAMES[conn.kind]}{force}{passive}{teeth}"
