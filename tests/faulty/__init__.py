"""Deliberately broken doctrines: each breaks one invariant, and the kit must catch it.

==================  ===============================================  =========================
module              the fault                                        caught by
==================  ===============================================  =========================
``impersonator``    signs a joint warning with its ally's name       ``speaks-for-itself``
``global_random``   draws from the module-level ``random``           ``determinism``
``ballot_stuffer``  casts yes votes in the other members' names      ``consensus`` (and
                                                                     ``speaks-for-itself``)
``shared_state``    keeps the crisis's length in a module dict       ``determinism``
``shared_default``  gives every agent and run one mutable state      ``determinism``
``set_order``       picks a partner by iterating over a set of ids   ``hash-seed-determinism``
``never_ends``      busy-waits inside negsim_decide for a reply      ``termination``
``eavesdropper``    repeats every message of the last round, heard   ``sees-only-what-it-may``
                    through an observer of its own
==================  ===============================================  =========================

They are plain plugin modules, never installed: tests pass them to
:func:`negsim.testing.check_doctrine` as plugin objects (with the plugins a module
lists in ``COMPANIONS``, if any, registered beside it).
"""
