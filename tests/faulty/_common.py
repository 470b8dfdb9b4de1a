"""What the broken plugins share: a spec, and the switch that mends them."""

from negsim import ParamSpec, PluginSpec


def spec(summary: str, *params: ParamSpec, role: str = "doctrine") -> PluginSpec:
    return PluginSpec(role=role, summary=f"deliberately broken: {summary}", params=params)


class Mendable:
    """A broken plugin with its fix behind a switch: ``Plugin(fixed=True)`` is correct.

    The kit must catch the broken one and pass the fixed one (the placebo): the two
    differ only in the line marked ``BUG``.
    """

    def __init__(self, fixed: bool = False) -> None:
        self.fixed = fixed

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.fixed == self.fixed  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fixed))
