"""negsim's negotiation protocols: one plugin per protocol, each its own module.

``alternating_offers`` (:mod:`negsim_protocols.alternating`), ``consensus``
(:mod:`negsim_protocols.consensus`), ``silence`` (:mod:`negsim_protocols.silence`) and
``single_text`` (:mod:`negsim_protocols.single_text`) are registered through the
``negsim`` entry-point group like any third-party plugin. A scenario names one per
negotiation (``[[negotiations]]`` ``protocol = "consensus"``).
"""
