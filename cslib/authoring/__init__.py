"""Writing reports: scaffolds and the notebooks' stored outputs.

``cslib new`` scaffolds a notebook (:mod:`~cslib.authoring.new`); ``make
notebooks`` refreshes the outputs nbval compares (:mod:`~cslib.authoring.store`).
"""
