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

The bugs the first kit missed, each a class whose ``fixed=True`` instance is its mended
twin (``test_the_kit_catches_what_authors_get_wrong.py``):

===================  ==============================================  ==========================
module               the fault                                       caught by
===================  ==============================================  ==========================
``proxy_voter``      votes for the members yet to vote               ``speaks-for-itself``
``access_broker``    grants access in the name of an ally host       ``speaks-for-itself``
``rare_random``      global ``random`` on an offer without demand    ``no-hidden-randomness``
``set_iteration``    answers the first of a set of senders           ``hash-seed-determinism``
``reversed_static``  grants access more when more cautious,          ``comparative-statics``
                     against the static it declares
``demand_reader``    ``KeyError`` on a threat without ``demand``     ``termination``
``big_offer_loop``   loops forever on an offer of 100 or more        ``termination`` (time)
``unhosted_access``  grants access for forces it does not host       ``moves-allowed``
``peeker``           reads every agent's ``view.seen``               ``sees-only-what-it-may``
``clock_watcher``    reads ``time.time`` when consulted              ``no-hidden-randomness``
``hardliner``        a modifier denying access to forces not hosted  ``moves-allowed``
``coin_toss``        a protocol drawing its first mover globally     ``no-hidden-randomness``
===================  ==============================================  ==========================
"""
