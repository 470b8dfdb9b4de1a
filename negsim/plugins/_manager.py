"""The plugin registry: entry-point discovery, plugin specs, and per-agent relays."""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import pluggy

from negsim import hookspecs
from negsim.errors import PluginError, Problem, UnknownDoctrineError
from negsim.model import PluginInfo, PluginRole, PluginSpec

__all__ = ["Hook", "HookRelay", "PluginRegistry", "default_registry"]

ENTRY_POINT_GROUP = "negsim"
"""The entry-point group plugins are registered under."""

_OBSERVER_SPEC = PluginSpec(role=PluginRole.OBSERVER, summary="")


class _Manager(pluggy.PluginManager):
    """pluggy's manager, counting the changes that can change what a hook call runs.

    Registering, unregistering, blocking, adding hook specifications and adding or
    removing call monitors each raise :attr:`generation`, through these public methods
    whoever calls them (the registry, a test, a notebook), so that a :class:`Hook`
    knows when to resolve its implementations again.
    """

    def __init__(self, project_name: str) -> None:
        super().__init__(project_name)
        self.generation = 0
        """Raised by every change that can change what a hook call runs."""
        self.monitors = 0
        """How many call monitors (tracing) are on: hooks then go through pluggy."""

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register ``plugin`` (:meth:`pluggy.PluginManager.register`)."""
        self.generation += 1
        try:
            return super().register(plugin, name)
        finally:
            self.generation += 1

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        """Unregister a plugin (:meth:`pluggy.PluginManager.unregister`)."""
        self.generation += 1
        try:
            return super().unregister(plugin, name)
        finally:
            self.generation += 1

    def set_blocked(self, name: str) -> None:
        """Block ``name`` (:meth:`pluggy.PluginManager.set_blocked`)."""
        self.generation += 1
        super().set_blocked(name)

    def unblock(self, name: str) -> bool:
        """Unblock ``name`` (:meth:`pluggy.PluginManager.unblock`)."""
        self.generation += 1
        return super().unblock(name)

    def add_hookspecs(self, module_or_class: Any) -> None:
        """Add hook specifications (:meth:`pluggy.PluginManager.add_hookspecs`)."""
        self.generation += 1
        super().add_hookspecs(module_or_class)

    def add_hookcall_monitoring(
        self,
        before: Callable[[str, Sequence[pluggy.HookImpl], Mapping[str, Any]], None],
        after: Callable[[Any, str, Sequence[pluggy.HookImpl], Mapping[str, Any]], None],
    ) -> Callable[[], None]:
        """Monitor every hook call (:meth:`pluggy.PluginManager.add_hookcall_monitoring`).

        While a monitor is on, every call goes through pluggy, which calls it.
        """
        undo = super().add_hookcall_monitoring(before, after)
        self.monitors += 1
        self.generation += 1
        done = False

        def undo_and_count() -> None:
            nonlocal done
            undo()
            if not done:
                done = True
                self.monitors -= 1
                self.generation += 1

        return undo_and_count


_Direct = Callable[[Mapping[str, Any]], Any]


class Hook:
    """One hook of a relay: pluggy's hook caller, called directly where pluggy adds nothing.

    pluggy calls a hook's implementations through a general loop built for wrappers,
    hook-call monitors and plugins registered during a call. For a hook whose
    implementations are plain functions (no wrapper) and with no monitor on, that loop
    comes down to calling them, newest first, until the first result for a
    ``firstresult`` hook; this class calls them so, with the same arguments, results and
    exceptions, and goes through pluggy otherwise. The implementations are resolved
    again whenever the plugin manager changes (its ``generation``): a plugin registered
    after the relay was built takes part in the next call.

    Other attributes are pluggy's caller's (``get_hookimpls``, ``spec``...).

    Args:
        caller: pluggy's hook caller (a subset caller for an agent's relay).
        pm: The plugin manager it belongs to: a :class:`PluginRegistry`'s ``pm``.
    """

    __slots__ = ("_direct", "_generation", "_implemented", "_plain", "_pm", "caller", "name")

    def __init__(self, caller: pluggy.HookCaller, pm: pluggy.PluginManager) -> None:
        if not isinstance(pm, _Manager):
            raise TypeError("a Hook needs the plugin manager of a negsim PluginRegistry")
        self.caller = caller
        self.name: str = caller.name
        self._pm = pm
        self._generation = -1
        self._direct: _Direct | None = None
        self._plain: Callable[[Any], Any] | None = None
        self._implemented = False

    def __call__(self, **kwargs: Any) -> Any:
        """Call the hook with ``kwargs`` (as pluggy's ``hook(**kwargs)``)."""
        return self.call(kwargs)

    def call(self, kwargs: Mapping[str, Any]) -> Any:
        """Call the hook with the arguments ``kwargs``."""
        if self._generation != self._pm.generation:
            self._resolve()
        direct = self._direct
        if direct is None:
            return self.caller(**kwargs)
        return direct(kwargs)

    @property
    def implemented(self) -> bool:
        """Whether any plugin implements the hook now."""
        if self._generation != self._pm.generation:
            self._resolve()
        return self._implemented

    @property
    def plain(self) -> Callable[[Any], Any] | None:
        """The one implementation to call with the one argument, when that is the call.

        For a ``firstresult`` hook with a single argument (``negsim_decide(view)``)
        and a single plain implementation, with no monitor on: ``plain(view)`` is
        ``hook(view=view)``, without building the keyword arguments. Otherwise
        ``None``. Resolved again when the plugin manager changes.
        """
        if self._generation != self._pm.generation:
            self._resolve()
        return self._plain

    @property
    def idle(self) -> bool:
        """Whether a call would do nothing: no implementation, and no monitor to see it.

        The caller may then skip the call, and building its arguments.
        """
        if self._generation != self._pm.generation:
            self._resolve()
        return not self._implemented and self._direct is not None

    def _resolve(self) -> None:
        pm = self._pm
        generation = pm.generation
        impls = self.caller.get_hookimpls()
        spec = self.caller.spec
        self._implemented = bool(impls)
        self._plain = None
        if pm.monitors or (spec is not None and spec.kwargdefaults):
            self._direct = None  # pluggy's path: monitors called, spec defaults applied
        elif any(impl.wrapper or impl.hookwrapper for impl in impls):
            self._direct = None
        else:
            firstresult = bool(spec.opts.get("firstresult", False)) if spec else False
            self._direct = _plain_call(impls[::-1], firstresult)
            only = impls[0] if len(impls) == 1 else None
            if firstresult and only and len(only.argnames) == 1 and not only.kwargnames:
                self._plain = only.function
        self._generation = generation

    def get_hookimpls(self) -> list[pluggy.HookImpl]:
        """The implementations, in pluggy's order (it calls the last first)."""
        return self.caller.get_hookimpls()

    def __getattr__(self, name: str) -> Any:
        if name in Hook.__slots__:  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.caller, name)

    def __repr__(self) -> str:
        return f"<Hook {self.name!r}>"


def _plain_call(impls: Sequence[pluggy.HookImpl], firstresult: bool) -> _Direct:
    """A function calling plain implementations ``impls`` in order, as pluggy's loop does.

    Positional arguments as pluggy passes them; a missing argument is pluggy's
    :class:`pluggy.HookCallError`; ``firstresult`` stops at the first result that is not
    ``None`` and returns it (else ``None``), otherwise the list of such results.
    """
    if not impls:
        return (lambda kwargs: None) if firstresult else (lambda kwargs: [])
    if len(impls) == 1 and not impls[0].kwargnames:
        function, names = impls[0].function, tuple(impls[0].argnames)
        if len(names) == 1 and firstresult:  # negsim_decide(view), the hot one
            (name,) = names

            def one(kwargs: Mapping[str, Any]) -> Any:
                try:
                    arg = kwargs[name]
                except KeyError as exc:
                    raise _missing(exc) from exc
                return function(arg)

            return one

        def single(kwargs: Mapping[str, Any]) -> Any:
            try:
                args = tuple(map(kwargs.__getitem__, names))
            except KeyError as exc:
                raise _missing(exc) from exc
            result = function(*args)
            if firstresult:
                return result
            return [] if result is None else [result]

        return single
    plan = [(impl.function, tuple(impl.argnames), tuple(impl.kwargnames)) for impl in impls]

    def several(kwargs: Mapping[str, Any]) -> Any:
        results = []
        for function, names, optional in plan:
            try:
                args = tuple(map(kwargs.__getitem__, names))
            except KeyError as exc:
                raise _missing(exc) from exc
            extra = {name: kwargs[name] for name in optional if name in kwargs} if optional else {}
            result = function(*args, **extra) if extra else function(*args)
            if result is not None:
                if firstresult:
                    return result
                results.append(result)
        return None if firstresult else results

    return several


def _missing(exc: KeyError) -> pluggy.HookCallError:
    """The error pluggy raises for a call without an argument an implementation takes."""
    return pluggy.HookCallError(f"hook call must provide argument {exc.args[0]!r}")


class HookRelay:
    """The hooks one agent (or the world) sees: a subset of all plugins.

    Attribute access gives a :class:`Hook`: ``relay.negsim_decide(view=view)``.

    Attributes:
        plugins: The names of the role-specific plugins in this relay (doctrine and
            modifiers, or the world rules), in stack order.
    """

    def __init__(self, plugins: tuple[str, ...], hooks: dict[str, Hook]) -> None:
        self.plugins = plugins
        self._hooks = hooks
        vars(self).update(hooks)  # plain attributes: no __getattr__ call on the hot path

    def implements(self, hook: str) -> bool:
        """Whether any plugin of this relay implements ``hook`` now."""
        found = self._hooks.get(hook)
        return found is not None and found.implemented

    def callers(self) -> list[pluggy.HookCaller]:
        """The hook callers of this relay (pluggy's)."""
        return [h.caller for h in self._hooks.values()]

    def __getattr__(self, name: str) -> Hook:
        try:
            return self.__dict__["_hooks"][name]  # type: ignore[no-any-return]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"<HookRelay {'+'.join(self.plugins) or 'observers'}>"


class PluginRegistry:
    """All plugins known in this process, and the relays built from them.

    Build one with ``PluginRegistry()``, which loads the installed plugins unless
    ``discover=False`` (or use :func:`default_registry`); relays are built
    on first use and cached, so a registry serves any number of runs.

    Args:
        plugins: ``(name, plugin)`` pairs to register, in order.
        discover: Also load every plugin installed under the ``negsim`` entry-point group.
    """

    def __init__(
        self, plugins: Iterable[tuple[str, object]] = (), *, discover: bool = True
    ) -> None:
        self.pm = _Manager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        if discover:
            try:
                self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
            except Exception as exc:  # a broken third-party plugin
                raise PluginError(f"cannot load an installed negsim plugin: {exc}") from exc
        for name, plugin in plugins:
            self.pm.register(plugin, name=name)
        self._check()
        self._specs: dict[str, PluginSpec] = {}
        self._info: tuple[PluginInfo, ...] | None = None
        self._read_specs()

    # -- registration ----------------------------------------------------------------

    def register(self, plugin: object, name: str) -> None:
        """Register a plugin in-process (for tests and notebooks).

        Raises:
            PluginError: The name is taken, or the plugin implements an unknown hook.
        """
        if self.pm.has_plugin(name):
            raise PluginError(f"a plugin named {name!r} is already registered")
        try:
            self.pm.register(plugin, name=name)
        except ValueError as exc:
            raise PluginError(f"cannot register plugin {name!r}: {exc}") from exc
        self._check()
        self._read_specs()

    def unregister(self, name: str) -> None:
        """Remove the plugin ``name`` (no-op when absent)."""
        if self.pm.has_plugin(name):
            self.pm.unregister(name=name)
            self._specs.pop(name, None)
            self._info = None
            self._relays.cache_clear()

    def _check(self) -> None:
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(
                f"plugin {exc.plugin!r} implements a hook negsim does not have: {exc}. "
                "Hook names start with 'negsim_'; see the hook reference."
            ) from exc

    def _read_specs(self) -> None:
        specs: dict[str, PluginSpec] = {}
        impls = {impl.plugin_name: impl for impl in self.pm.hook.negsim_plugin_spec.get_hookimpls()}
        for name, plugin in self.pm.list_name_plugin():
            if name is None or plugin is None:
                continue
            impl = impls.get(name)
            if impl is None:
                specs[name] = _OBSERVER_SPEC
                continue
            try:
                spec = impl.function()
            except (ValueError, TypeError) as exc:  # attrs refused the declaration
                raise PluginError(
                    f"plugin {name!r}: its negsim_plugin_spec is invalid: {exc}"
                ) from exc
            if not isinstance(spec, PluginSpec):
                raise PluginError(
                    f"plugin {name!r}: negsim_plugin_spec must return a negsim.model.PluginSpec, "
                    f"got {type(spec).__name__}"
                )
            specs[name] = spec
        self._specs = specs
        self._info = None
        self._relays.cache_clear()

    # -- queries ---------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """A number that changes whenever the plugins, their hooks or call monitors change.

        What is worked out from the registry (a scenario's relays, which hooks its
        agents' plugins implement) holds while it stays the same.
        """
        return self.pm.generation

    def spec(self, name: str) -> PluginSpec:
        """The spec of plugin ``name``.

        Raises:
            UnknownDoctrineError: No such plugin; the message lists the installed ones.
        """
        try:
            return self._specs[name]
        except KeyError:
            raise UnknownDoctrineError(
                "<plugins>", [Problem("", f"no plugin {name!r}; installed: {self._names()}")]
            ) from None

    def names(self, role: PluginRole | None = None) -> tuple[str, ...]:
        """Registered plugin names, sorted; only those of ``role`` when given."""
        return tuple(sorted(n for n, s in self._specs.items() if role is None or s.role == role))

    def _names(self, role: PluginRole | None = None) -> str:
        return ", ".join(self.names(role)) or "(none)"

    def info(self) -> tuple[PluginInfo, ...]:
        """Every plugin with its role, distribution and version, sorted by name (cached)."""
        if self._info is None:
            self._info = self._read_info()
        return self._info

    def _read_info(self) -> tuple[PluginInfo, ...]:
        dists = {self.pm.get_name(plugin): dist for plugin, dist in self.pm.list_plugin_distinfo()}
        out = []
        for name in self.names():
            dist = dists.get(name)
            out.append(
                PluginInfo(
                    name=name,
                    role=str(self._specs[name].role),
                    distribution=dist.project_name if dist is not None else "",
                    version=dist.version if dist is not None else "",
                    summary=self._specs[name].summary,
                )
            )
        return tuple(out)

    def plugin_for_code(
        self, tb: types.TracebackType | None, relay: HookRelay | None = None
    ) -> str | None:
        """The plugin whose hook implementation raised, found from a traceback.

        The innermost frame that runs a hook implementation names the plugin, so an
        error in a doctrine's helper function is blamed on the doctrine. With ``relay``,
        only the implementations in that relay are considered (two plugins may share
        code when they are instances of one class).
        """
        codes: dict[types.CodeType, str] = {}
        callers = relay.callers() if relay is not None else self.pm.hook.__dict__.values()
        for caller in callers:
            for impl in caller.get_hookimpls():
                function = getattr(impl.function, "__func__", impl.function)
                codes[function.__code__] = impl.plugin_name
        found = None
        for frame, _ in _walk(tb):
            found = codes.get(frame.f_code, found)
        return found

    # -- relays ----------------------------------------------------------------------

    def agent_relay(self, stack: tuple[str, ...]) -> HookRelay:
        """The relay for an agent whose doctrine stack is ``stack`` (doctrine, modifiers...).

        Raises:
            UnknownDoctrineError: A name in the stack is not a registered doctrine/modifier.
        """
        return self._relays(stack, hookspecs.AGENT_HOOKS)

    def protocol_relay(self, protocol: str) -> HookRelay:
        """The relay for a negotiation protocol: the plugin ``protocol`` and the observers."""
        return self._relays((protocol,), hookspecs.PROTOCOL_HOOKS)

    def world_relay(self, world_rules: str) -> HookRelay:
        """The relay for the world: the world-rules plugin ``world_rules`` and the observers."""
        return self._relays((world_rules,), hookspecs.WORLD_HOOKS)

    @functools.lru_cache(maxsize=256)  # noqa: B019 - the registry lives as long as the process
    def _relays(self, keep: tuple[str, ...], hook_names: tuple[str, ...]) -> HookRelay:
        for name in keep:
            self.spec(name)
        remove = [
            self.pm.get_plugin(name)
            for name, spec in self._specs.items()
            if spec.role != PluginRole.OBSERVER and name not in keep
        ]
        pm = self.pm
        hooks = {h: Hook(pm.subset_hook_caller(h, remove_plugins=remove), pm) for h in hook_names}
        return HookRelay(keep, hooks)

    # -- tracing ---------------------------------------------------------------------

    def monitor(
        self,
        before: Callable[[str, Sequence[pluggy.HookImpl], Mapping[str, Any]], None],
        after: Callable[[Any, str, Sequence[pluggy.HookImpl], Mapping[str, Any]], None],
    ) -> Callable[[], None]:
        """Call ``before``/``after`` around every hook call; returns the function that undoes it."""
        return self.pm.add_hookcall_monitoring(before, after)


def _walk(tb: types.TracebackType | None) -> Iterator[tuple[types.FrameType, int]]:
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next


@functools.cache
def default_registry() -> PluginRegistry:
    """The process-wide registry of installed plugins, discovered on first use."""
    return PluginRegistry()
