"""Write baltic_nato.toml: a Russian grab in the Baltics against all 32 NATO members.

The scenario has one Art. 5 commitment per ordered pair of members (32 x 31 = 992), so
it is generated rather than written by hand. Run ``python make_baltic.py`` to rebuild it.

Every number written carries a comment with its public source, or says "assumption"
and why no public figure exists. Conventional power is an index of the forces
available to the theatre with Russia's ~1,100,000 active troops = 100, so every state
scales by its active troops (as the Korea files scale by theirs), except the U.S.,
whose air and naval power is an assumption as in the Korea files. The crisis world
puts all of an owner's power where it has forces stationed, so a state with forces
abroad is given the index of those forces (:func:`power_lines`). Distances are
great-circle distances from each member's capital to Riga, computed here from the
capitals' public coordinates. The output is deterministic: the same script always
writes the same file.
"""

from __future__ import annotations

import math
from pathlib import Path

RUS_ACTIVE = 1_100_000
"""Russia's active armed forces (IISS, The Military Balance 2024): the index base."""

MILITARY_BALANCE = "IISS, The Military Balance 2024"
SIPRI = "military stockpile, January 2024 (SIPRI Yearbook 2024)"

THEATRE = (56.95, 24.11)
"""Riga, the middle of the theatre (Tallinn and Vilnius each lie ~260-280 km from it)."""

# Threat perception of Russia: no survey asks the same question in all 32 members, so
# each value is an assumption; the reason says what it leans on.
FRONTLINE = "assumption: borders Russia or Belarus; no survey covers all 32 members"
BALTIC_SEA = "assumption: Baltic Sea neighbour; no survey covers all 32 members"
EASTERN = "assumption: eastern flank; no survey covers all 32 members"
WESTERN = "assumption: western Europe, far from Russia; no survey covers all 32 members"
SOUTHERN = "assumption: southern flank, other threats first; no survey covers all 32 members"
ATLANTIC = "assumption: across the Atlantic; no survey covers all 32 members"

# id, name, active troops (IISS MB 2024, rounded), capital, (lat, lon), threat perception
# of Russia and why. Members with forces stationed abroad (HOSTED) have their power
# index set from those forces instead (see power_lines).
MEMBERS = [
    ("ALB", "Albania", 7_000, "Tirana", (41.33, 19.82), 0.2, SOUTHERN),
    ("BEL", "Belgium", 23_000, "Brussels", (50.85, 4.35), 0.4, WESTERN),
    ("BGR", "Bulgaria", 37_000, "Sofia", (42.70, 23.32), 0.3, SOUTHERN),
    ("CAN", "Canada", 66_000, "Ottawa", (45.42, -75.70), 0.5, ATLANTIC),
    ("CZE", "Czechia", 27_000, "Prague", (50.08, 14.44), 0.6, EASTERN),
    ("DEU", "Germany", 181_000, "Berlin", (52.52, 13.40), 0.5, BALTIC_SEA),
    ("DNK", "Denmark", 15_000, "Copenhagen", (55.68, 12.57), 0.6, BALTIC_SEA),
    ("ESP", "Spain", 122_000, "Madrid", (40.42, -3.70), 0.25, SOUTHERN),
    ("EST", "Estonia", 7_000, "Tallinn", (59.44, 24.75), 0.95, FRONTLINE),
    ("FIN", "Finland", 24_000, "Helsinki", (60.17, 24.94), 0.9, FRONTLINE),
    ("FRA", "France", 202_000, "Paris", (48.86, 2.35), 0.4, WESTERN),
    ("GBR", "United Kingdom", 141_000, "London", (51.51, -0.13), 0.6, WESTERN),
    ("GRC", "Greece", 132_000, "Athens", (37.98, 23.73), 0.2, SOUTHERN),
    ("HRV", "Croatia", 16_000, "Zagreb", (45.81, 15.98), 0.3, SOUTHERN),
    (
        "HUN",
        "Hungary",
        32_000,
        "Budapest",
        (47.50, 19.04),
        0.15,
        "assumption: closer ties to Moscow (last to ratify Sweden's accession, 26 Feb 2024);"
        " no survey covers all 32 members",
    ),
    ("ISL", "Iceland", 0, "Reykjavik", (64.15, -21.94), 0.3, ATLANTIC),
    ("ITA", "Italy", 161_000, "Rome", (41.90, 12.50), 0.3, SOUTHERN),
    ("LTU", "Lithuania", 23_000, "Vilnius", (54.69, 25.28), 0.95, FRONTLINE),
    ("LUX", "Luxembourg", 400, "Luxembourg", (49.61, 6.13), 0.3, WESTERN),
    ("LVA", "Latvia", 7_000, "Riga", (56.95, 24.11), 0.95, FRONTLINE),
    ("MKD", "North Macedonia", 8_000, "Skopje", (42.00, 21.43), 0.2, SOUTHERN),
    ("MNE", "Montenegro", 2_000, "Podgorica", (42.44, 19.26), 0.2, SOUTHERN),
    ("NLD", "Netherlands", 34_000, "Amsterdam", (52.37, 4.90), 0.5, WESTERN),
    ("NOR", "Norway", 25_000, "Oslo", (59.91, 10.75), 0.7, FRONTLINE),
    ("POL", "Poland", 164_000, "Warsaw", (52.23, 21.01), 0.95, FRONTLINE),
    ("PRT", "Portugal", 27_000, "Lisbon", (38.72, -9.14), 0.2, SOUTHERN),
    ("ROU", "Romania", 70_000, "Bucharest", (44.43, 26.10), 0.6, EASTERN),
    ("SVK", "Slovakia", 18_000, "Bratislava", (48.15, 17.11), 0.3, EASTERN),
    ("SVN", "Slovenia", 6_000, "Ljubljana", (46.06, 14.51), 0.3, SOUTHERN),
    ("SWE", "Sweden", 15_000, "Stockholm", (59.33, 18.07), 0.8, BALTIC_SEA),
    ("TUR", "Turkey", 355_000, "Ankara", (39.93, 32.86), 0.2, SOUTHERN),
    ("USA", "United States", 1_316_000, "Washington", (38.91, -77.04), 0.6, ATLANTIC),
]

THEATRE_STATES = {"EST", "LVA", "LTU"}
"""The Baltic states are the theatre itself: distance 0."""

STAKES = 8.0
"""Every member's value of defending an attacked ally (the same for all 32)."""
STAKES_WHY = "assumption: no public measure; Art. 5's credibility is NATO's core"

FRONTLINE_HOSTS = {"EST", "LVA", "LTU", "POL"}
"""States the grab threatens next, each hosting allied forces: the value they set on
the alliance exceeds the doctrine's default."""
FRONTLINE_WHY = "assumption: its defence rests on the allies it hosts; no public measure"

# Forces stationed abroad, by host and owner: (troops, source).
HOSTED = {
    "DEU": {"USA": (35_000, "~35,000 U.S. troops in Germany (DoD personnel data, 2023-24)")},
    "POL": {"USA": (10_000, "~10,000 U.S. troops in Poland, mostly rotational (2023-24)")},
    "ITA": {"USA": (12_000, "~12,000 U.S. troops in Italy (DoD personnel data, 2023-24)")},
    "GBR": {"USA": (10_000, "~10,000 U.S. troops in the UK (DoD personnel data, 2023-24)")},
    "EST": {"GBR": (900, "UK-led eFP battlegroup: ~900 British troops (Operation Cabrit)")},
    "LVA": {"CAN": (1_000, "Canada-led eFP battlegroup: ~1,000 Canadian troops (Op. Reassurance)")},
    "LTU": {"DEU": (1_000, "Germany-led eFP battlegroup: ~1,000 German troops")},
}

US_POWER = 30
"""The U.S. power index in Europe: an assumption (see its comment)."""

NUCLEAR = {  # warheads in military stockpiles, January 2024 (SIPRI Yearbook 2024)
    "USA": 3708,
    "GBR": 225,
    "FRA": 290,
}


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points on a 6,371 km sphere.

    >>> round(great_circle_km((52.23, 21.01), (56.95, 24.11)))
    561
    """
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def index(troops: float) -> float:
    """Troops as a share of the index (Russia's active forces = 100), 2 decimals."""
    return round(100.0 * troops / RUS_ACTIVE, 2)


def owners() -> dict[str, float]:
    """Troops each owner has stationed abroad, summed over its hosts."""
    out: dict[str, float] = {}
    for table in HOSTED.values():
        for owner, (troops, _) in table.items():
            out[owner] = out.get(owner, 0.0) + troops
    return out


def line(text: str, comment: str = "") -> str:
    """``text`` with ``comment`` aligned in column 32."""
    return f"{text:<30} # {comment}" if comment else text


def power_lines(mid: str, active: int) -> list[str]:
    """The ``conventional`` line: active troops, or the forces stationed abroad."""
    abroad = owners().get(mid)
    if mid == "ISL":
        return [line("conventional = 0", f"no armed forces ({MILITARY_BALANCE})")]
    if abroad is None:
        return [
            line(
                f"conventional = {index(active)}",
                f"~{active:,} active ({MILITARY_BALANCE}): {active:,}/{RUS_ACTIVE:,} of the index",
            )
        ]
    if mid == "USA":
        return [
            line(
                f"conventional = {US_POWER}",
                "assumption: U.S. air and naval combat power in Europe has no troop-count",
            ),
            f"{'':30} # equivalent (as in the Korea files); its ~{abroad:,.0f} troops in the hosts",
            f"{'':30} # below would give {index(abroad)} by the scale of the index",
        ]
    return [
        line(
            f"conventional = {index(abroad)}",
            f"its ~{abroad:,.0f} troops stationed in the hosts below, by the same scale: the",
        ),
        f"{'':30} # crisis world puts all of an owner's power where it has forces stationed,",
        f"{'':30} # so its ~{active:,} active ({MILITARY_BALANCE}) at home are not counted",
    ]


def distance_line(mid: str, capital: str, where: tuple[float, float]) -> str:
    """The ``distance_km`` line: 0 in the theatre, else the capital's distance to Riga."""
    if mid in THEATRE_STATES:
        return line("distance_km = 0", "the theatre itself")
    km = round(great_circle_km(where, THEATRE), -1)
    forward = mid in owners() and mid not in HOSTED
    note = "; unused while all its forces are forward" if forward else ""
    return line(
        f"distance_km = {km:.0f}",
        f"{capital}-Riga great-circle, from public coordinates{note}",
    )


def render() -> str:
    """The scenario as TOML text."""
    ids = [m[0] for m in MEMBERS]
    out = [
        "# GENERATED by make_baltic.py: edit that script, not this file.",
        "# A Russian limited grab in the Baltic states against NATO's 32 members (March 2024)",
        "# deciding by consensus under the silence procedure. One round is one day.",
        "#",
        "# Conventional power is an index of the forces available to the theatre with",
        f"# Russia's ~{RUS_ACTIVE:,} active troops = 100 ({MILITARY_BALANCE}), so every",
        "# state scales by its active troops, rounded (the U.S. excepted: its air and naval",
        "# power is an assumption, as in the Korea files). The crisis world spreads an",
        "# owner's power over the states that host its forces, in proportion to the troops",
        "# there, and counts none at home: the lead nations of the eFP battlegroups are",
        "# therefore given the index of their battlegroup troops alone. Distances are",
        "# great-circle distances from each capital to Riga, computed from public",
        '# coordinates. Values marked "assumption" say why no public figure exists;',
        "# parameters not set here take the defaults (and sources) their plugins document.",
        "",
        "[scenario]",
        'name = "baltic-nato"',
        'description = "A Russian grab in the Baltics against 32 NATO members under consensus."',
        "max_rounds = 20",
        "seed = 1",
        'world_rules = "crisis"',
        "",
        "[world]",
        "facts = []",
        "exclusions = [",
        '    "~(attacking(RUS,EST) & stands_down(RUS))",',
        '    "~(attacking(RUS,LVA) & stands_down(RUS))",',
        '    "~(attacking(RUS,LTU) & stands_down(RUS))",',
        "]",
        "",
        "[world.params]",
        'challenger = "RUS"',
        line(
            "advance = 0.35", "RAND (Shlapak & Johnson 2016): Tallinn/Riga reached in 36-60 hours"
        ),
        line(
            "ceasefire_rounds = 5",
            "assumption: no public figure for how long a seized line stays open to a",
        ),
        f"{'':30} # counter-offensive; five days span NATO's fastest decision (a 2-day",
        f"{'':30} # silence procedure) and the first arrivals, so the race can go either way",
        line(
            "deploy_km_per_day = 500.0",
            "assumption: road, rail and air movement; no public planning figure (as in Korea)",
        ),
        line(
            "access_requires_consent = false",
            "assumption: no public NATO rule makes Art. 5 operations from allied",
        ),
        f"{'':30} # bases wait for the host's grant (unlike the Kishi-Herter gate)",
        line(
            "integration_multiplier = 1.3",
            "assumption: NATO integrated command as a force multiplier, no measured value",
        ),
        "",
        "[[agents]]",
        'id = "RUS"',
        'name = "Russian Federation"',
        'doctrine = "wedge"',
        "[agents.capabilities]",
        line("conventional = 100", f"index base: ~{RUS_ACTIVE:,} active ({MILITARY_BALANCE})"),
        line("nuclear = 4380", SIPRI),
        line(
            "distance_km = 0", "adjacent: borders Estonia and Latvia, and Lithuania via Kaliningrad"
        ),
        "[agents.params]",
        'targets = "EST,LVA,LTU"',
        line('sizes = "0.2,0.5,1.0"', "Altman, ISQ 2017: most grabs are limited"),
        line(
            "value_gain = 10.0",
            "assumption: no public measure of the Kremlin's valuation of a Baltic grab",
        ),
        line("cost_fail = 6.0", "assumption: idem"),
        line("cost_nuclear = 200.0", "assumption: idem"),
        "",
        line("[agents.prior]", "how fast Russia expects NATO to decide is its private belief"),
        line('kind = "discrete"', "assumption: one of NATO's two precedents, odds unknown"),
        "[[agents.prior.types]]",
        'name = "expects-2001-pace"',
        line("probability = 0.5", "assumption: no public sign of which precedent Moscow weighs"),
        line(
            "params = { est_consensus_delay = 0.24 }",
            "Art. 5 agreed in 1 day by 19 members (12 Sep 2001): 1/log2(19)",
        ),
        "[[agents.prior.types]]",
        'name = "expects-2003-pace"',
        line("probability = 0.5", "assumption: idem"),
        line(
            "params = { est_consensus_delay = 7.5 }",
            "~32 days for Turkey's request among 19 (Jan-Feb 2003): 32/log2(19)",
        ),
    ]
    for mid, name, active, capital, where, threat, why in MEMBERS:
        out += [
            "",
            "[[agents]]",
            f'id = "{mid}"',
            f'name = "{name}"',
            'doctrine = "collective"',
            "[agents.capabilities]",
            *power_lines(mid, active),
        ]
        if mid in NUCLEAR:
            out.append(line(f"nuclear = {NUCLEAR[mid]}", SIPRI))
        else:
            out.append(line("nuclear = 0", "no nuclear weapons of its own"))
        out.append(distance_line(mid, capital, where))
        if mid in HOSTED:
            out.append("[agents.capabilities.forces_hosted]")
            out += [line(f"{k} = {v}", src) for k, (v, src) in HOSTED[mid].items()]
        out += ["[agents.params]", line(f"threat_perception = {threat}", why)]
        out.append(line(f"stakes = {STAKES}", STAKES_WHY))
        if mid in FRONTLINE_HOSTS:
            out.append(line("alliance_value = 6.0", FRONTLINE_WHY))
        if mid in THEATRE_STATES:  # the attacked member proposes, and bargains over a block
            out += [
                line(
                    "exclude_blocker = true",
                    "the 2003 Defence Planning Committee route (abolished 2010):",
                ),
                f"{'':30} # assumption: a way around a blocker still exists",
                line("exclusion_delay = 6", "silence broken 10 Feb, DPC decision 16 Feb 2003"),
            ]
    out += [
        "",
        "[[alliances]]",
        'id = "NATO"',
        'name = "North Atlantic Treaty Organization"',
        'kind = "collective"',
        "members = [" + ", ".join(f'"{i}"' for i in ids) + "]",
        'decision_rule = "consensus"',
        line("silence_procedure = true", "NATO practice"),
        line(
            "decision_deadline = 2",
            "assumption: each silence deadline is set case by case, none published",
        ),
        "",
        "# North Atlantic Treaty, Art. 5: one commitment per ordered pair of members.",
        '# deadline = 5: "forthwith" sets no term; assumption: five days.',
    ]
    for debtor in ids:
        for creditor in ids:
            if debtor == creditor:
                continue
            out += [
                "",
                "[[commitments]]",
                f'id = "art5-{debtor.lower()}-{creditor.lower()}"',
                f'debtor = "{debtor}"',
                f'creditor = "{creditor}"',
                f'antecedent = "attacked({creditor})"',
                f'consequent = "responds({debtor},{creditor})"',
                "deadline = 5",
                'source = "North Atlantic Treaty, Art. 5"',
            ]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    Path(__file__).with_name("baltic_nato.toml").write_text(render(), encoding="utf-8")
